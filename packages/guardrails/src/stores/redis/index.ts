export type { IoredisClient } from './ioredis-runner.js';
export type { NodeRedisClient } from './node-redis-runner.js';
export { type RedisStoreClient, type RedisStoreOptions, redisStore } from './redis-store.js';
