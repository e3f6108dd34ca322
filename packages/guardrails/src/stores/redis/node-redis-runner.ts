import { keySlot } from '../key-slot.js';
import {
  commandArgs,
  pipelinedRunner,
  type ScriptCommand,
  type SentPipeline,
  settleEach,
  toError,
} from './pipelined-runner.js';
import type { ReplicaWait, ScriptRunner, ScriptRunnerOptions } from './script-runner.js';

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
  /** Cluster only: every master, with its own client once connected. */
  readonly masters?: readonly { readonly address: string; readonly client?: NodeRedisConnection }[];
}

/** One connection of node-redis: a client, or a cluster's client of one node. */
interface NodeRedisConnection {
  sendCommand(args: string[]): Promise<unknown>;
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
 * With `replicas`, a batch that carries a durable call is written as raw commands on the
 * node's own connection (the client, or the cluster's client of that master) with `WAIT` last,
 * so `WAIT` follows them on their connection: the cluster's routing could reorder them, and
 * sends a keyless `WAIT` to every master. A call redirected there is sent again through the
 * cluster's routing.
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
  const single: NodeRedisConnection = { sendCommand: (args) => client.sendCommand(args as never) };
  const connectionTo = (node: string | undefined): NodeRedisConnection | undefined =>
    cluster ? client.masters?.find((master) => master.address === node)?.client : single;

  async function send(
    node: string | undefined,
    commands: readonly ScriptCommand[],
    wait?: ReplicaWait,
  ): Promise<SentPipeline> {
    const connection = wait && connectionTo(node);
    // Issued in one turn, so they leave in one write per node.
    if (!connection) return { replies: await settleEach(commands.map(sendOne)) };
    const replies = settleEach(
      commands.map((command) => {
        const [script, numKeys, ...rest] = commandArgs(command);
        const keys = rest.slice(0, command.call.keys.length).map((key) => prefix + key);
        const args = rest.slice(keys.length);
        return connection.sendCommand([command.kind.toUpperCase(), script!, numKeys!, ...keys, ...args]);
      }),
    );
    const acknowledged = connection.sendCommand(['WAIT', String(wait.count), String(wait.timeoutMs)]);
    return { replies: await replies, acknowledged: await acknowledged.catch(toError) };
  }

  async function waitOn(node: string, { count, timeoutMs }: ReplicaWait): Promise<unknown> {
    const connection = connectionTo(node);
    if (!connection) throw new Error(`node-redis has no connection to ${node}`);
    return connection.sendCommand(['WAIT', String(count), String(timeoutMs)]);
  }

  if (!cluster) {
    const address = singleAddress(client.options);
    return pipelinedRunner({ topology: 'single', nodeOf: () => address, send, sendOne, waitOn }, options);
  }
  return pipelinedRunner(
    {
      topology: 'cluster',
      nodeOf(keys) {
        const key = keys[0];
        return key === undefined ? undefined : client.slots?.[keySlot(prefix + key)]?.master?.address;
      },
      send,
      sendOne,
      waitOn,
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
