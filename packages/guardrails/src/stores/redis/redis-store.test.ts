import { describe } from 'vitest';
import { describeStore } from '../../store-contract/describe-store.js';
import { describeGuard } from '../../testing/describe-guard.js';
import { CLIENT_KINDS } from '../../testing/redis-clients.js';
import { redisForThisFile } from '../../testing/redis-fixtures.js';

const redis = redisForThisFile('single');

describe.each(CLIENT_KINDS)('redisStore on one redis-server, %s', (kind) => {
  describeStore(`redis (${kind}, single node)`, redis.fixture(kind));
  describeGuard(`redis store (${kind}, single node)`, redis.fixture(kind));
});
