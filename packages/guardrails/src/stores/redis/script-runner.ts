import type { ScriptRunner } from '../lua/script-store.js';
import { ioredisRunner, isIoredis } from './ioredis-runner.js';
import { isNodeRedis, nodeRedisRunner } from './node-redis-runner.js';

export type { ScriptCall, ScriptRunner } from '../lua/script-store.js';

/** Options of {@link createScriptRunner}. */
export interface ScriptRunnerOptions {
  /**
   * Called once per pipeline the runner sends, with the node it is addressed to (`host:port`,
   * or `unknown` before a cluster client has learned its slots) and the number of calls in it.
   * Redirections the client follows on its own (`MOVED`, `ASK`) are not counted.
   * @default undefined
   */
  onRoundTrip?: (node: string, calls: number) => void;
  /**
   * After a pipeline carrying a durable call (a claim or a complete), `WAIT count timeoutMs` on
   * the same connection, in the same round trip. A durable call fewer replicas acknowledged is
   * answered with a `ReplicaShortfall` (an `Error` carrying the script's reply).
   * @default undefined (no WAIT)
   */
  replicas?: ReplicaWait;
}

/** `WAIT numreplicas timeout`: how many replicas must have a write, and how long to wait for them. */
export interface ReplicaWait {
  /** Replicas that must acknowledge the write. */
  readonly count: number;
  /** How long `WAIT` may block the connection, in ms (`WAIT … 0` would block for ever: refused). */
  readonly timeoutMs: number;
}

/**
 * Picks the runner for `client` by its shape — an ioredis `Redis` or `Cluster`, a node-redis
 * client (`createClient`) or cluster (`createCluster`) — without importing either package.
 *
 * Configure the client so that a dead Redis fails fast instead of queueing commands: see the
 * notes on {@link ioredisRunner} and {@link nodeRedisRunner}.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const runner = createScriptRunner(new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 }));
 * const [reply] = await runner.run([{ script: SCRIPTS.claim, keys: ['{k}'], args: [] }]);
 * ```
 */
export function createScriptRunner(client: unknown, options: ScriptRunnerOptions = {}): ScriptRunner {
  if (isIoredis(client)) return ioredisRunner(client, options);
  if (isNodeRedis(client)) return nodeRedisRunner(client, options);
  throw new TypeError(
    '[trpc-guardrails] a Redis store needs an ioredis client (new Redis(), new Cluster()) or a node-redis ' +
      `client (createClient(), createCluster()); got ${describe(client)}`,
  );
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor?.name ? `an instance of ${value.constructor.name}` : 'an object';
}
