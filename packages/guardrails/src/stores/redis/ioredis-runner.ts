import { keySlot } from '../key-slot.js';
import { coalesceCalls } from '../lua/coalesce-calls.js';
import {
  commandArgs,
  pipelinedRunner,
  type ScriptCommand,
  type SentPipeline,
  settleEach,
  toError,
} from './pipelined-runner.js';
import type { ReplicaWait, ScriptRunner, ScriptRunnerOptions } from './script-runner.js';

type Arg = string | number;

/** The parts of an ioredis `Redis` or `Cluster` the runner uses; ioredis itself is never imported. */
export interface IoredisClient {
  pipeline(): IoredisPipeline;
  evalsha(sha: string, numKeys: Arg, ...keysAndArgs: Arg[]): Promise<unknown>;
  eval(script: string, numKeys: Arg, ...keysAndArgs: Arg[]): Promise<unknown>;
  call(command: string, ...args: Arg[]): Promise<unknown>;
  defineCommand(name: string, definition: object): void;
  readonly options: { keyPrefix?: string; host?: string; port?: number; path?: string; natMap?: unknown };
  readonly isCluster?: boolean;
  /** Cluster only: the nodes (`host:port`, master first) serving each slot, as last learned. */
  readonly slots?: readonly (readonly string[] | undefined)[];
  /** Cluster only: its connection to each node. */
  nodes?(role: 'master'): readonly IoredisConnection[];
}

interface IoredisConnection {
  readonly options: { host?: string; port?: number };
  call(command: string, ...args: Arg[]): Promise<unknown>;
}

interface IoredisPipeline {
  evalsha(sha: string, numKeys: Arg, ...keysAndArgs: Arg[]): unknown;
  eval(script: string, numKeys: Arg, ...keysAndArgs: Arg[]): unknown;
  call(command: string, ...args: Arg[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** An ioredis `Redis` or `Cluster`, told apart from @upstash/redis (which also has `pipeline`). */
export function isIoredis(client: unknown): client is IoredisClient {
  const candidate = client as Partial<IoredisClient> | null;
  return (
    typeof candidate?.pipeline === 'function' &&
    typeof candidate.evalsha === 'function' &&
    typeof candidate.defineCommand === 'function'
  );
}

/**
 * The runner on ioredis. A `Redis` gets one `pipeline()` per batch, and the runs started while
 * a batch is in flight share the next one (see `coalesced`). A `Cluster` gets one
 * `pipeline()` per master, all sent at once: ioredis sends a cluster pipeline to a single node
 * and rejects one whose keys span several, so the runner groups calls by the master serving
 * their slot (its `slots` table). ioredis follows `MOVED`/`ASK` in a pipeline only when every
 * command failed with the very same error (one slot); calls left redirected are sent again one
 * by one, where ioredis follows redirections (up to `maxRedirections`, default 16). With
 * `replicas`, `WAIT` closes the pipeline (a keyless command: it goes where the pipeline goes).
 *
 * Fail fast on a dead Redis. ioredis' defaults queue a command while reconnecting and give up
 * after `maxRetriesPerRequest` (20) reconnect attempts, about 70 s; there is no timeout for a
 * hung Redis; and `autoResendUnfulfilledCommands` (on) sends commands in flight at a disconnect
 * again after the reconnect (a script may run twice). Advised:
 * `new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2000 })`; for a cluster
 * `new Cluster(nodes, { redisOptions: { commandTimeout: 2000 } })` (its node connections never
 * reconnect: ioredis refreshes its slots and retries for `maxRedirections × 100 ms`, so a dead
 * master or `CLUSTERDOWN` fails within about 2 s). `enableOfflineQueue: false` fails even
 * faster but also fails commands sent before the first connection is ready.
 *
 * @internal Use {@link createScriptRunner}.
 */
export function ioredisRunner(client: IoredisClient, options: ScriptRunnerOptions): ScriptRunner {
  const prefix = client.options.keyPrefix ?? '';
  const single =
    client.options.path ?? `${client.options.host ?? 'localhost'}:${client.options.port ?? 6379}`;

  const sendOne = (command: ScriptCommand): Promise<unknown> => {
    const [script, numKeys, ...rest] = commandArgs(command);
    return command.kind === 'evalsha'
      ? client.evalsha(script!, numKeys!, ...rest)
      : client.eval(script!, numKeys!, ...rest);
  };
  const routeEach = async (commands: readonly ScriptCommand[]): Promise<SentPipeline> => ({
    replies: await settleEach(commands.map(sendOne)),
  });

  /** Rejects only when the pipeline could not be sent (a cluster's keys span nodes, say). */
  async function sendPipeline(commands: readonly ScriptCommand[], wait?: ReplicaWait): Promise<SentPipeline> {
    const pipeline = client.pipeline();
    for (const command of commands) {
      const [script, numKeys, ...rest] = commandArgs(command);
      if (command.kind === 'evalsha') pipeline.evalsha(script!, numKeys!, ...rest);
      else pipeline.eval(script!, numKeys!, ...rest);
    }
    if (wait) pipeline.call('WAIT', wait.count, wait.timeoutMs);
    const replies = await pipeline.exec();
    if (!replies) throw new Error('[trpc-guardrails] ioredis answered a pipeline with null');
    const answers = replies.map(([error, reply]) => (error ? toError(error) : reply));
    return wait ? { replies: answers.slice(0, -1), acknowledged: answers.at(-1) } : { replies: answers };
  }

  if (!client.isCluster) {
    return coalesced(
      pipelinedRunner(
        {
          topology: 'single',
          nodeOf: () => single,
          send: (_node, commands, wait) =>
            sendPipeline(commands, wait).catch((error) => ({
              replies: commands.map(() => toError(error)),
              ...(wait && { acknowledged: toError(error) }),
            })),
          sendOne,
          waitOn: (_node, { count, timeoutMs }) => client.call('WAIT', count, timeoutMs),
        },
        options,
      ),
    );
  }

  return coalesced(
    pipelinedRunner(
      {
        topology: 'cluster',
        nodeOf(keys) {
          const key = keys[0];
          return key === undefined ? undefined : client.slots?.[keySlot(prefix + key)]?.[0];
        },
        async send(node, commands, wait) {
          // Slots not learned yet: each command is routed by ioredis once it knows them.
          if (node === undefined) return routeEach(commands);
          // A cluster pipeline rejects only before sending (its keys span nodes after a slots
          // refresh, or the cluster is not ready): nothing ran, so each command goes on its own.
          return sendPipeline(commands, wait).catch(() => routeEach(commands));
        },
        sendOne,
        async waitOn(node, { count, timeoutMs }) {
          // An ASK names the node as the cluster knows it; ioredis may dial it elsewhere (natMap).
          const address = natMapped(client.options.natMap, node);
          const connection = client
            .nodes?.('master')
            .find(({ options: { host, port } }) => `${host}:${port}` === address);
          if (!connection) throw new Error(`ioredis has no connection to ${node}`);
          return connection.call('WAIT', count, timeoutMs);
        },
      },
      options,
    ),
  );
}

/**
 * Concurrent guard calls share pipelines (see {@link coalesceCalls}): an ioredis pipeline is
 * one socket write, and building and writing one per call cost more server CPU under load than
 * the rest of the store. (With `replicas`, a call sharing a pipeline with a durable one waits for
 * its `WAIT`; on one connection it would wait behind that `WAIT` anyway.)
 */
function coalesced(runner: ScriptRunner): ScriptRunner {
  return { topology: runner.topology, run: coalesceCalls((calls) => runner.run(calls)) };
}

/** The address ioredis dials for `node` under its `natMap` option (an object or a function). */
function natMapped(natMap: unknown, node: string): string {
  const target = (
    typeof natMap === 'function' ? natMap(node) : (natMap as Record<string, unknown>)?.[node]
  ) as { host?: string; port?: number } | undefined;
  return target?.host && target.port ? `${target.host}:${target.port}` : node;
}
