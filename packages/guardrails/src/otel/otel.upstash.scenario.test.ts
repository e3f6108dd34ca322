import { describeOtel } from '../testing/describe-otel.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import { otelContextForThisFile } from '../testing/otel-sdk.js';

otelContextForThisFile();
const { fixture } = gatewayForThisFile();
describeOtel('upstash store (real redis-server behind upstash-local)', () => fixture());
