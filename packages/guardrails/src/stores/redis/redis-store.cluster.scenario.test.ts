import { describe } from 'vitest';
import { describeStore } from '../../store-contract/describe-store.js';
import { describeGuard } from '../../testing/describe-guard.js';
import { CLIENT_KINDS } from '../../testing/redis-clients.js';
import { redisForThisFile } from '../../testing/redis-fixtures.js';

const redis = redisForThisFile('cluster');

describe.each(CLIENT_KINDS)('redisStore on a Redis Cluster of 3 masters + 3 replicas, %s', (kind) => {
  describeStore(`redis (${kind}, cluster)`, redis.fixture(kind));
  describeGuard(`redis store (${kind}, cluster)`, redis.fixture(kind));
});
