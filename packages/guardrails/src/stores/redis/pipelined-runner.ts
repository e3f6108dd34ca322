import type { ScriptCall, ScriptRunner, ScriptRunnerOptions } from './script-runner.js';

/** A script call as one command: by SHA first, by source after a `NOSCRIPT`. */
export interface ScriptCommand {
  readonly kind: 'evalsha' | 'eval';
  readonly call: ScriptCall;
}

/** What the runner needs from a client: where keys live, and a pipeline to one node. */
export interface ScriptTransport {
  readonly topology: 'single' | 'cluster';
  /** The node serving these keys now (`host:port`), or undefined while the client does not know. */
  nodeOf(keys: readonly string[]): string | undefined;
  /**
   * Sends the commands in one pipeline to `node` (undefined: let the client route each one);
   * resolves to one reply or `Error` per command and never rejects.
   */
  send(node: string | undefined, commands: readonly ScriptCommand[]): Promise<unknown[]>;
}

/**
 * The runner every client shares: groups calls by node, sends one pipeline per node at once,
 * then sends the calls that met `NOSCRIPT` again as `EVAL` (same grouping), once.
 */
export function pipelinedRunner(transport: ScriptTransport, options: ScriptRunnerOptions): ScriptRunner {
  const { onRoundTrip } = options;

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
        onRoundTrip?.(node ?? 'unknown', positions.length);
        const replies = await transport.send(
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
