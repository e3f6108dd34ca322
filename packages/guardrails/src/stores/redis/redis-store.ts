import { REDIS_SCRIPTS } from '../lua/registry.js';
import { createScriptStore } from '../lua/script-store.js';
import type { GuardrailsStore } from '../types.js';
import type { IoredisClient } from './ioredis-runner.js';
import type { NodeRedisClient } from './node-redis-runner.js';
import { createScriptRunner, type ScriptRunnerOptions } from './script-runner.js';

/**
 * What {@link redisStore} accepts: an ioredis `Redis` or `Cluster`, or a node-redis client
 * (`createClient()`) or cluster (`createCluster()`), connected. Described by shape, so this
 * package imports neither client.
 */
export type RedisStoreClient = IoredisClient | NodeRedisClient;

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Called once per pipeline sent, with the node (`host:port`) and how many script calls it
   * carried — for metrics, or to see a cluster spread one call's keys over several nodes.
   */
  onRoundTrip?: ScriptRunnerOptions['onRoundTrip'];
}

/**
 * A store on any Redis over TCP — self-hosted, ElastiCache, Valkey, Upstash's `rediss://`
 * endpoint — or on a Redis Cluster, through the client you already use. Same scripts and
 * semantics as the Upstash store, without Upstash's shebang flag (Redis ≥ 6.2 and Valkey run them):
 * every limit of a call and its claim in one script call on one node. On a cluster, a call's keys
 * may live on several nodes: each node gets its part at once (one round trip in wall time), and
 * when one refuses the call, the others give back what they took.
 *
 * Configure the client to fail fast, so a dead Redis answers errors (then `onStoreError`) instead
 * of queueing commands: ioredis `{ maxRetriesPerRequest: 1, commandTimeout: 2000 }`, node-redis
 * `{ disableOfflineQueue: true }`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore } from 'trpc-guardrails/redis';
 * const store = redisStore(new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1, commandTimeout: 2000 }));
 * ```
 */
export function redisStore(client: RedisStoreClient, options: RedisStoreOptions = {}): GuardrailsStore {
  return createScriptStore(createScriptRunner(client, options), REDIS_SCRIPTS);
}
