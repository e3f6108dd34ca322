import { REDIS_SCRIPTS } from '../lua/registry.js';
import { createScriptStore } from '../lua/script-store.js';
import type { GuardrailsStore } from '../types.js';
import type { IoredisClient } from './ioredis-runner.js';
import type { NodeRedisClient } from './node-redis-runner.js';
import { createScriptRunner, type ReplicaWait, type ScriptRunnerOptions } from './script-runner.js';

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
  /**
   * Durability across a failover: a claim and a complete count as done only once `count`
   * replicas have them. `WAIT count timeoutMs` follows them in the same pipeline, on the same
   * connection (no extra round trip; the call takes replication time longer, and `WAIT` holds
   * that connection meanwhile). When fewer replicas acknowledge within `timeoutMs`, the call
   * fails like a timed-out one: an acquired claim is released and `onStoreError` applies (503
   * under `deny`); a complete is retried in the background. Replays and waits are not held up.
   *
   * Redis replicates asynchronously: without this, a master that dies right after acknowledging
   * a claim or a complete can take it along, and a duplicate then runs the handler again.
   * Run `count + 1` replicas per master, or a failover (or a replica down) leaves a master
   * without enough replicas, and its idempotent calls fail until one is back.
   * @default undefined (no WAIT)
   * @example { count: 1, timeoutMs: 50 }
   */
  replicas?: ReplicaWait;
}

/**
 * A store on any Redis over TCP — self-hosted, ElastiCache, Valkey, Upstash's `rediss://`
 * endpoint — or on a Redis Cluster, through the client you already use. Same scripts and
 * semantics as the Upstash store, without Upstash's shebang flag (Redis ≥ 6.2 and Valkey run them):
 * every limit of a call and its claim in one script call on one node. On a cluster, a call's keys
 * may live on several nodes: each node gets its part at once (one round trip in wall time), and
 * when one refuses the call, the others give back what they took.
 *
 * Redis replicates asynchronously, so a failover can lose the last writes a master acknowledged;
 * `replicas` makes claims and completes wait for replicas (`WAIT`).
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
  if (options.replicas !== undefined) checkReplicas(options.replicas);
  return createScriptStore(createScriptRunner(client, options), REDIS_SCRIPTS);
}

function checkReplicas(replicas: ReplicaWait): void {
  const { count, timeoutMs } = replicas ?? {};
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new TypeError(
      `[trpc-guardrails] redisStore({ replicas: { count } }) must be an integer >= 1, got ${String(count)}`,
    );
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError(
      `[trpc-guardrails] redisStore({ replicas: { timeoutMs } }) must be an integer >= 1 (WAIT with 0 blocks for ever), got ${String(timeoutMs)}`,
    );
  }
}
