import type { ScriptCall, ScriptRunner } from '../lua/script-store.js';
import { isNoScript, type UpstashRedisClient } from './redis-client.js';

/** Limits of one coalesced request. */
export interface CoalescingOptions {
  /** Most script calls in one pipeline request. @default 64 */
  maxCalls?: number;
  /** Most argument characters in one pipeline request; a bigger call is sent alone. @default 65_536 */
  maxChars?: number;
}

interface Pending {
  call: ScriptCall;
  chars: number;
  settle: (reply: unknown) => void;
}

/**
 * @internal Runs script calls as `EVALSHA`s in pipeline requests, sending the calls of concurrent
 * guard calls together. With no request in flight a call leaves at once (after the current
 * microtasks, so the calls of one tick share a request); while requests are in flight, calls wait
 * for the end of the event loop's turn and leave together — under load, the checks of many HTTP
 * requests cost one store request instead of one each, and the HTTP client's CPU with it.
 * Scripts Redis does not know yet (`NOSCRIPT`) are sent again with their source, in one request.
 * In Workers and edge sandboxes only the calls of one tick share a request (see below).
 */
export function coalescingRunner(redis: UpstashRedisClient, options: CoalescingOptions = {}): ScriptRunner {
  const { maxCalls = 64, maxChars = 65_536 } = options;
  let queue: Pending[] = [];
  let scheduled = false;
  let inFlight = 0;

  function flush(): void {
    scheduled = false;
    const pending = queue;
    queue = [];
    let batch: Pending[] = [];
    let chars = 0;
    for (const entry of pending) {
      if (batch.length > 0 && (batch.length >= maxCalls || chars + entry.chars > maxChars)) {
        void send(batch);
        batch = [];
        chars = 0;
      }
      batch.push(entry);
      chars += entry.chars;
    }
    if (batch.length > 0) void send(batch);
  }

  async function send(batch: Pending[]): Promise<void> {
    inFlight++;
    let replies: unknown[];
    try {
      replies = await runPipeline(
        redis,
        batch.map((entry) => entry.call),
      );
    } catch (error) {
      replies = batch.map(() => asError(error));
    } finally {
      inFlight--;
    }
    for (const [index, entry] of batch.entries()) entry.settle(replies[index]);
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    if (inFlight === 0 || !endOfTurn) queueMicrotask(() => queueMicrotask(flush));
    else endOfTurn(flush);
  }

  return {
    topology: 'single',
    run(calls) {
      const replies = calls.map(
        (call) =>
          new Promise<unknown>((settle) => {
            queue.push({ call, chars: argumentChars(call), settle });
          }),
      );
      schedule();
      return Promise.all(replies);
    },
  };
}

/** One pipeline of `EVALSHA`s; those that meet `NOSCRIPT` again as `EVAL`s, in a second one. */
async function runPipeline(redis: UpstashRedisClient, calls: readonly ScriptCall[]): Promise<unknown[]> {
  const first = await exec(redis, calls, (pipeline, call) =>
    pipeline.evalsha(call.script.sha1, [...call.keys], [...call.args]),
  );
  const replies = first.map(toReply);
  const unknownScripts = first.flatMap((reply, index) =>
    reply.error && isNoScript(reply.error) ? [index] : [],
  );
  if (unknownScripts.length === 0) return replies;
  const second = await exec(
    redis,
    unknownScripts.map((index) => calls[index]!),
    (pipeline, call) => pipeline.eval(call.script.script, [...call.keys], [...call.args]),
  );
  unknownScripts.forEach((index, at) => {
    replies[index] = toReply(second[at]!);
  });
  return replies;
}

type Pipeline = ReturnType<UpstashRedisClient['pipeline']>;
interface PipelineReply {
  error?: string;
  result?: unknown;
}

async function exec(
  redis: UpstashRedisClient,
  calls: readonly ScriptCall[],
  add: (pipeline: Pipeline, call: ScriptCall) => void,
): Promise<PipelineReply[]> {
  const pipeline = redis.pipeline();
  for (const call of calls) add(pipeline, call);
  return (await pipeline.exec({ keepErrors: true })) as PipelineReply[];
}

function toReply(reply: PipelineReply): unknown {
  return reply.error ? new Error(reply.error) : reply.result;
}

function argumentChars(call: ScriptCall): number {
  let chars = 0;
  for (const arg of call.args) chars += typeof arg === 'string' ? arg.length : 16;
  for (const key of call.keys) chars += key.length;
  return chars;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Where calls of different requests may share a request: Node (and Bun), whose promises belong to
 * no request. Cloudflare Workers cancel a request's continuations when another request's I/O
 * settles them, and the edge sandboxes (Vercel's `EdgeRuntime`) run on the same model — there a call
 * only shares a request with calls of its own tick, as with `@upstash/redis`'s auto-pipelining.
 */
function crossRequestRuntime(): boolean {
  const global = globalThis as {
    setImmediate?: unknown;
    navigator?: { userAgent?: unknown };
    EdgeRuntime?: unknown;
  };
  return (
    typeof global.setImmediate === 'function' &&
    global.navigator?.userAgent !== 'Cloudflare-Workers' &&
    global.EdgeRuntime === undefined
  );
}

/** After the I/O of this turn of the event loop (`setImmediate`), where that is safe. */
const endOfTurn: ((run: () => void) => void) | undefined = crossRequestRuntime()
  ? (run) => (globalThis as unknown as { setImmediate: (run: () => void) => void }).setImmediate(run)
  : undefined;
