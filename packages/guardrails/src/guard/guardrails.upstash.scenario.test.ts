import { describeGuard } from '../testing/describe-guard.js';
import { gatewayForThisFile } from '../testing/gateway.js';

const { fixture } = gatewayForThisFile();
describeGuard('upstash store (real redis-server behind upstash-local)', () => fixture());
