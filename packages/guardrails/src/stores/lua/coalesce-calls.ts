import type { ScriptCall } from './script-store.js';

/** Limits of one coalesced batch. */
export interface CoalescingOptions {
  /** Most script calls in one batch. @default 64 */
  maxCalls?: number;
  /** Most argument characters in one batch; a bigger call is sent alone. @default 65_536 */
  maxChars?: number;
}

/** Sends one batch; answers one reply (or `Error`) per call, in order. */
export type SendBatch = (calls: readonly ScriptCall[]) => Promise<readonly unknown[]>;

interface Pending {
  call: ScriptCall;
  chars: number;
  settle: (reply: unknown) => void;
}

/**
 * @internal Makes `run` of a script runner send the calls of concurrent guard calls together.
 * With no batch in flight a call leaves at once (after the current microtasks, so the calls of
 * one tick share a batch); while batches are in flight, calls wait for the end of the event
 * loop's turn and leave together. Under load, the checks of many HTTP requests then cost one
 * store request (one socket write, one pipeline) instead of one each, and the client's CPU with
 * it. In Workers and edge sandboxes only the calls of one tick share a batch (see below).
 */
export function coalesceCalls(
  send: SendBatch,
  options: CoalescingOptions = {},
): (calls: readonly ScriptCall[]) => Promise<unknown[]> {
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
        void sendBatch(batch);
        batch = [];
        chars = 0;
      }
      batch.push(entry);
      chars += entry.chars;
    }
    if (batch.length > 0) void sendBatch(batch);
  }

  async function sendBatch(batch: Pending[]): Promise<void> {
    inFlight++;
    let replies: readonly unknown[];
    try {
      replies = await send(batch.map((entry) => entry.call));
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

  return (calls) => {
    const replies = calls.map(
      (call) =>
        new Promise<unknown>((settle) => {
          queue.push({ call, chars: argumentChars(call), settle });
        }),
    );
    schedule();
    return Promise.all(replies);
  };
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
 * Where calls of different requests may share a batch: Node (and Bun), whose promises belong to
 * no request. Cloudflare Workers cancel a request's continuations when another request's I/O
 * settles them, and the edge sandboxes (Vercel's `EdgeRuntime`) run on the same model — there a call
 * only shares a batch with calls of its own tick, as with `@upstash/redis`'s auto-pipelining.
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
