import { keySlot } from '../key-slot.js';
import {
  commandArgs,
  isRedirection,
  pipelinedRunner,
  type ScriptCommand,
  settleEach,
  toError,
} from './pipelined-runner.js';
import type { ScriptRunner, ScriptRunnerOptions } from './script-runner.js';

type Arg = string | number;

/** The parts of an ioredis `Redis` or `Cluster` the runner uses; ioredis itself is never imported. */
export interface IoredisClient {
  pipeline(): IoredisPipeline;
  evalsha(sha: string, numKeys: Arg, ...keysAndArgs: Arg[]): Promise<unknown>;
  eval(script: string, numKeys: Arg, ...keysAndArgs: Arg[]): Promise<unknown>;
  defineCommand(name: string, definition: object): void;
  readonly options: { keyPrefix?: string; host?: string; port?: number; path?: string };
  readonly isCluster?: boolean;
  /** Cluster only: the nodes (`host:port`, master first) serving each slot, as last learned. */
  readonly slots?: readonly (readonly string[] | undefined)[];
}

interface IoredisPipeline {
  evalsha(sha: string, numKeys: Arg, ...keysAndArgs: Arg[]): unknown;
  eval(script: string, numKeys: Arg, ...keysAndArgs: Arg[]): unknown;
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
 * The runner on ioredis. A `Redis` gets one `pipeline()` per batch. A `Cluster` gets one
 * `pipeline()` per master, all sent at once: ioredis sends a cluster pipeline to a single node
 * and rejects one whose keys span several, so the runner groups calls by the master serving
 * their slot (its `slots` table). ioredis follows `MOVED`/`ASK` in a pipeline only when every
 * command failed with the very same error (one slot); calls left redirected are sent again one
 * by one, where ioredis follows redirections (up to `maxRedirections`, default 16).
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

  async function sendPipeline(commands: readonly ScriptCommand[]): Promise<unknown[]> {
    const pipeline = client.pipeline();
    for (const command of commands) {
      const [script, numKeys, ...rest] = commandArgs(command);
      if (command.kind === 'evalsha') pipeline.evalsha(script!, numKeys!, ...rest);
      else pipeline.eval(script!, numKeys!, ...rest);
    }
    const replies = await pipeline.exec();
    if (!replies) throw new Error('[trpc-guardrails] ioredis answered a pipeline with null');
    return replies.map(([error, reply]) => (error ? toError(error) : reply));
  }

  if (!client.isCluster) {
    return pipelinedRunner(
      {
        topology: 'single',
        nodeOf: () => single,
        send: (_node, commands) =>
          sendPipeline(commands).catch((error) => commands.map(() => toError(error))),
      },
      options,
    );
  }

  return pipelinedRunner(
    {
      topology: 'cluster',
      nodeOf(keys) {
        const key = keys[0];
        return key === undefined ? undefined : client.slots?.[keySlot(prefix + key)]?.[0];
      },
      async send(node, commands) {
        // Slots not learned yet: each command is routed by ioredis once it knows them.
        if (node === undefined) return settleEach(commands.map(sendOne));
        let replies: unknown[];
        try {
          replies = await sendPipeline(commands);
        } catch {
          // A cluster pipeline rejects only before sending (its keys span nodes after a slots
          // refresh, or the cluster is not ready): nothing ran, so each command goes on its own.
          return settleEach(commands.map(sendOne));
        }
        // Sent again one by one: ioredis follows MOVED/ASK for single commands.
        return settleEach(
          commands.map((command, i) =>
            isRedirection(replies[i]) ? sendOne(command) : Promise.resolve(replies[i]),
          ),
        );
      },
    },
    options,
  );
}
