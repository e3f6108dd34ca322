import { describeIdempotentOptions } from '../testing/describe-idempotent-options.js';
import { gatewayForThisFile } from '../testing/gateway.js';

const { fixture } = gatewayForThisFile();
describeIdempotentOptions('upstash store (real redis-server behind upstash-local)', () => fixture());
