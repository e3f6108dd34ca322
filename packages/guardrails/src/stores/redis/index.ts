export { ReplicaShortfall } from '../lua/replica-shortfall.js';
export type { IoredisClient } from './ioredis-runner.js';
export type { NodeRedisClient } from './node-redis-runner.js';
export { type RedisStoreClient, type RedisStoreOptions, redisStore } from './redis-store.js';
export type { ReplicaWait } from './script-runner.js';
