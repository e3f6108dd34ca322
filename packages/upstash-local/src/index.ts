export { createTestRedisPrefix } from './createTestRedisPrefix.js';
export type { GatewayStats } from './http/GatewayStats.js';
export type { SubscriptionStats } from './pubsub/SubscriptionHub.js';
export { findFreePort } from './redis/findFreePort.js';
export {
  type RedisServer,
  type StartRedisServerOptions,
  startRedisServer,
} from './redis/startRedisServer.js';
export { startUpstashLocal } from './startUpstashLocal.js';
export type { UpstashLocal } from './UpstashLocal.js';
export type { UpstashLocalOptions } from './UpstashLocalOptions.js';
