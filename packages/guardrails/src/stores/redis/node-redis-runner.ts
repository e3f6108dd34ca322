import { keySlot } from '../key-slot.js';
import { commandArgs, pipelinedRunner, type ScriptCommand, settleEach } from './pipelined-runner.js';
import type { ScriptRunner, ScriptRunnerOptions } from './script-runner.js';

interface EvalOptions {
  keys: string[];
  arguments: string[];
}

/** The parts of a node-redis client or cluster the runner uses; `redis` itself is never imported. */
export interface NodeRedisClient {
  evalSha(sha: string, options: EvalOptions): Promise<unknown>;
  eval(script: string, options: EvalOptions): Promise<unknown>;
  sendCommand(...args: never[]): Promise<unknown>;
  /** The client's `keyPrefix` option (node-redis ≥ 6), applied to the keys of every command. */
  readonly _keyPrefix?: string | Uint8Array;
  /** Client only. */
  readonly options?: { url?: string; socket?: { host?: string; port?: number; path?: string } };
  /** Cluster only: the master (and replicas) serving each slot, as last discovered. */
  readonly slots?: readonly ({ master?: { address?: string } } | undefined)[];
  readonly masters?: unknown;
}

/** A node-redis client (`createClient`) or cluster (`createCluster`). */
export function isNodeRedis(client: unknown): client is NodeRedisClient {
  const candidate = client as Partial<NodeRedisClient> | null;
  return typeof candidate?.evalSha === 'function' && typeof candidate.sendCommand === 'function';
}

/**
 * The runner on node-redis. node-redis writes every command queued in one event-loop turn in a
 * single socket write (its automatic pipelining: a `setImmediate` flushes the queue), so the
 * runner issues all calls of a batch in the same turn: each node gets them as one pipeline,
 * and each call keeps its own reply or error. On a cluster every call goes through the
 * cluster's own routing (`slots[slot].master`), which follows `MOVED` and `ASK` (up to
 * `maxCommandRedirections`, default 16); the runner groups by that same master only to count.
 *
 * Fail fast on a dead Redis. By default node-redis queues commands while it reconnects and
 * times out only commands still waiting to be written (`commandOptions.timeout`, default 5 s);
 * a command already written to a hung Redis waits for ever, so the store's own timeout is what
 * bounds it. Advised: `createClient({ url, disableOfflineQueue: true })`, and for a cluster
 * `createCluster({ rootNodes, defaults: { disableOfflineQueue: true },
 * topologyRefreshOnReconnectionAttemptStrategy: 1000 })` — a cluster learns of a failover only
 * from a `MOVED` or from that refresh (default 5 s after a node starts reconnecting), and calls
 * to the dead master fail ("The client is offline") until then.
 *
 * @internal Use {@link createScriptRunner}.
 */
export function nodeRedisRunner(client: NodeRedisClient, options: ScriptRunnerOptions): ScriptRunner {
  const keyPrefix = client._keyPrefix;
  const prefix =
    typeof keyPrefix === 'string' ? keyPrefix : keyPrefix ? new TextDecoder().decode(keyPrefix) : '';
  const cluster = client.slots !== undefined && client.masters !== undefined;

  const sendOne = (command: ScriptCommand): Promise<unknown> => {
    const [script, , ...rest] = commandArgs(command);
    const { keys } = command.call;
    const evalOptions = { keys: [...keys], arguments: rest.slice(keys.length) };
    return command.kind === 'evalsha'
      ? client.evalSha(script!, evalOptions)
      : client.eval(script!, evalOptions);
  };
  // Issued in one turn, so they leave in one write per node.
  const send = (_node: string | undefined, commands: readonly ScriptCommand[]) =>
    settleEach(commands.map(sendOne));

  if (!cluster) {
    const single = singleAddress(client.options);
    return pipelinedRunner({ topology: 'single', nodeOf: () => single, send }, options);
  }
  return pipelinedRunner(
    {
      topology: 'cluster',
      nodeOf(keys) {
        const key = keys[0];
        return key === undefined ? undefined : client.slots?.[keySlot(prefix + key)]?.master?.address;
      },
      send,
    },
    options,
  );
}

function singleAddress(options: NodeRedisClient['options']): string {
  if (options?.socket?.path) return options.socket.path;
  if (options?.socket?.host || options?.socket?.port)
    return `${options.socket.host ?? 'localhost'}:${options.socket.port ?? 6379}`;
  if (options?.url) return new URL(options.url).host;
  return 'localhost:6379';
}
