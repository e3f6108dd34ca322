import type { GatewayStats } from './http/GatewayStats.js';
import type { SubscriptionStats } from './pubsub/SubscriptionHub.js';

/** A running gateway, returned by {@link startUpstashLocal}. */
export interface UpstashLocal {
  /** Base URL for `new Redis({ url })`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Token for `new Redis({ token })`. */
  token: string;
  /** The Redis behind the gateway, e.g. `redis://127.0.0.1:41235`, for redis-cli or TCP clients. */
  redisUrl: string;
  /** pid of the redis-server this gateway started; undefined when `redisUrl` was given. */
  redisPid: number | undefined;
  /** A copy of the counters since start or the last resetStats(). */
  stats(): GatewayStats;
  /** Zeroes the counters, e.g. after a warm-up call. */
  resetStats(): void;
  /** Live figures of the Pub/Sub streams (`/subscribe`, `/psubscribe`): subscribers, bytes waiting for them, drops. */
  subscriptions(): SubscriptionStats;
  /** Ends all subscriptions, closes the HTTP server and the Redis connections, and stops the redis-server it started. Idempotent. */
  stop(): Promise<void>;
}
