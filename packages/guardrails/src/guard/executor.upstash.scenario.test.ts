import { describeExecutor } from '../testing/describe-executor.js';
import { gatewayForThisFile } from '../testing/gateway.js';

const { fixture } = gatewayForThisFile();
describeExecutor('the upstash store (real redis-server behind upstash-local)', () => fixture());
