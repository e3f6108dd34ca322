export type { UpstashRedisClient } from './redis-client.js';
export { type UpstashStoreOptions, upstashStore } from './upstash-store.js';
