import { describeHeaderKey } from '../testing/describe-header-key.js';
import { gatewayForThisFile } from '../testing/gateway.js';

const { fixture } = gatewayForThisFile();
describeHeaderKey('upstash store (real redis-server behind upstash-local)', () => fixture());
