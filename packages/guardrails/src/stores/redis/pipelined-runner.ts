import { ReplicaShortfall } from '../lua/replica-shortfall.js';
import type { ReplicaWait, ScriptCall, ScriptRunner, ScriptRunnerOptions } from './script-runner.js';

/** A script call as one command: by SHA first, by source after a `NOSCRIPT`. */
export interface ScriptCommand {
  readonly kind: 'evalsha' | 'eval';
  readonly call: ScriptCall;
}

/** What one pipeline answered. */
export interface SentPipeline {
  /** One reply or `Error` per command. */
  replies: unknown[];
  /**
   * The reply (or `Error`) of the `WAIT` that followed the commands on their connection; absent
   * when none could (the client routed each command on its own).
   */
  acknowledged?: unknown;
}

/** What the runner needs from a client: where keys live, a pipeline to one node, its routing. */
export interface ScriptTransport {
  readonly topology: 'single' | 'cluster';
  /** The node serving these keys now (`host:port`), or undefined while the client does not know. */
  nodeOf(keys: readonly string[]): string | undefined;
  /**
   * Sends the commands in one pipeline to `node` (undefined: let the client route each one) and,
   * with `wait`, `WAIT` right after them on the same connection. Never rejects.
   */
  send(
    node: string | undefined,
    commands: readonly ScriptCommand[],
    wait?: ReplicaWait,
  ): Promise<SentPipeline>;
  /** Sends one command through the client's own routing, which follows `MOVED` and `ASK`. */
  sendOne(command: ScriptCommand): Promise<unknown>;
  /** `WAIT` alone on the client's connection to `node`, for calls that ran there on their own. */
  waitOn(node: string, wait: ReplicaWait): Promise<unknown>;
}

/**
 * The runner every client shares: groups calls by node and sends one pipeline per node at
 * once, `WAIT` closing a pipeline that carries a durable call (with `replicas`); sends a call
 * that met `MOVED`/`ASK` again through the client's routing (then `WAIT` on the node that ran
 * it: one more round trip, during resharding and failovers only); then sends the calls that
 * met `NOSCRIPT` again as `EVAL` (same grouping), once.
 */
export function pipelinedRunner(transport: ScriptTransport, options: ScriptRunnerOptions): ScriptRunner {
  const { onRoundTrip, replicas } = options;

  async function sendGroup(node: string | undefined, commands: readonly ScriptCommand[]) {
    const wait = replicas && commands.some((command) => command.call.durable) ? replicas : undefined;
    onRoundTrip?.(node ?? 'unknown', commands.length);
    const sent = await transport.send(node, commands, wait);
    const replies = [...sent.replies];
    const redirected = replies.map(isRedirection);
    await Promise.all(
      commands.map(async (command, i) => {
        // A redirected command never ran: the client's routing takes it where it belongs.
        if (redirected[i]) replies[i] = await transport.sendOne(command).catch(toError);
      }),
    );
    if (!wait) return replies;

    const acknowledged: unknown[] = new Array(commands.length);
    const elsewhere = new Map<string, number[]>();
    commands.forEach((command, i) => {
      if (!command.call.durable || replies[i] instanceof Error) return;
      if (!redirected[i] && sent.acknowledged !== undefined) {
        acknowledged[i] = sent.acknowledged;
        return;
      }
      // MOVED updated the client's slot table; ASK names the node, for this command only.
      const ranOn = askTarget(sent.replies[i]) ?? transport.nodeOf(command.call.keys);
      if (ranOn === undefined) acknowledged[i] = new Error('the client does not know which node ran it');
      else elsewhere.set(ranOn, [...(elsewhere.get(ranOn) ?? []), i]);
    });
    await Promise.all(
      Array.from(elsewhere, async ([ranOn, indexes]) => {
        const answer = await transport.waitOn(ranOn, wait).catch(toError);
        for (const i of indexes) acknowledged[i] = answer;
      }),
    );
    return replies.map((reply, i) =>
      commands[i]!.call.durable && !(reply instanceof Error)
        ? confirmed(reply, acknowledged[i], wait)
        : reply,
    );
  }

  async function sendGrouped(
    commands: readonly ScriptCommand[],
    indexes: readonly number[],
    results: unknown[],
  ) {
    const groups = new Map<string | undefined, number[]>();
    commands.forEach((command, position) => {
      const node = transport.nodeOf(command.call.keys);
      const group = groups.get(node);
      if (group) group.push(position);
      else groups.set(node, [position]);
    });
    await Promise.all(
      Array.from(groups, async ([node, positions]) => {
        const replies = await sendGroup(
          node,
          positions.map((position) => commands[position]!),
        );
        positions.forEach((position, i) => {
          results[indexes[position]!] = replies[i];
        });
      }),
    );
  }

  return {
    topology: transport.topology,
    async run(calls) {
      const results: unknown[] = new Array(calls.length);
      if (calls.length === 0) return results;
      await sendGrouped(
        calls.map((call) => ({ kind: 'evalsha', call })),
        calls.map((_, index) => index),
        results,
      );
      const missing = calls.flatMap((_, index) => (isNoScript(results[index]) ? [index] : []));
      if (missing.length > 0) {
        await sendGrouped(
          missing.map((index) => ({ kind: 'eval', call: calls[index]! })),
          missing,
          results,
        );
      }
      return results;
    },
  };
}

/** The reply, if `WAIT` says enough replicas have the write; else a {@link ReplicaShortfall}. */
function confirmed(reply: unknown, acknowledged: unknown, { count, timeoutMs }: ReplicaWait): unknown {
  if (acknowledged instanceof Error) return new ReplicaShortfall(reply, 0, count, timeoutMs, acknowledged);
  const replicas = Number(acknowledged);
  return replicas >= count ? reply : new ReplicaShortfall(reply, replicas || 0, count, timeoutMs);
}

/** `ASK <slot> <host:port>`: the node to ask, for this one command. */
function askTarget(reply: unknown): string | undefined {
  return reply instanceof Error && reply.message.startsWith('ASK ') ? reply.message.split(' ')[2] : undefined;
}

/** `EVALSHA sha numkeys key… arg…` or `EVAL source numkeys key… arg…`, as strings. */
export function commandArgs({ kind, call }: ScriptCommand): string[] {
  return [
    kind === 'evalsha' ? call.script.sha1 : call.script.script,
    String(call.keys.length),
    ...call.keys,
    ...call.args.map(String),
  ];
}

/** The script is not in this node's cache: it never ran. */
export function isNoScript(reply: unknown): boolean {
  return reply instanceof Error && reply.message.startsWith('NOSCRIPT');
}

/** `MOVED`/`ASK`: the node does not serve the slot (now); the command never ran there. */
export function isRedirection(reply: unknown): boolean {
  return reply instanceof Error && /^(MOVED|ASK) /.test(reply.message);
}

/** An `Error` that says something: node-redis' `TimeoutError` has an empty message, say. */
export function toError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  if (error.message) return error;
  const name = error.name !== 'Error' ? error.name : error.constructor.name;
  return new Error(name || 'unknown error', { cause: error });
}

/** Waits for every promise and keeps each outcome as a value: the reply or the `Error`. */
export function settleEach(promises: readonly Promise<unknown>[]): Promise<unknown[]> {
  return Promise.all(promises.map((promise) => promise.catch(toError)));
}
