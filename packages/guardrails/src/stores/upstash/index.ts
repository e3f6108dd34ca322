export { SCRIPTS } from './lua/registry.js';
export type { UpstashRedisClient } from './redis-client.js';
export { upstashStore } from './upstash-store.js';
