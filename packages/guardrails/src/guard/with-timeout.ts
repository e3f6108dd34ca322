/** Thrown when a store call outlives its timeout. */
export class StoreTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`[trpc-guardrails] store ${operation} did not answer within ${timeoutMs} ms`);
    this.name = 'StoreTimeoutError';
  }
}

interface Pending {
  at: number;
  expire(): void;
}

/** How late a timeout may fire: store timeouts are seconds, so a coarse shared clock will do. */
const RESOLUTION_MS = 10;
const pending = new Set<Pending>();
let sweeper: ReturnType<typeof setInterval> | undefined;

function sweep(): void {
  const now = Date.now();
  for (const entry of pending) {
    if (entry.at <= now) {
      pending.delete(entry);
      entry.expire();
    }
  }
  if (pending.size === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/**
 * Races a store call against its timeout, so a dead store cannot hang a request. One shared
 * interval serves every call in flight (a timer per call cost more than the memory store's whole
 * answer); a timeout fires within {@link RESOLUTION_MS} of its time. The interval runs only while
 * calls are pending, and is not unref'd: a hung store call still ends in its timeout.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry: Pending = {
      at: Date.now() + timeoutMs,
      expire: () => reject(new StoreTimeoutError(operation, timeoutMs)),
    };
    pending.add(entry);
    sweeper ??= setInterval(sweep, RESOLUTION_MS);
    promise.then(
      (value) => {
        pending.delete(entry);
        resolve(value);
      },
      (error: unknown) => {
        pending.delete(entry);
        reject(error);
      },
    );
  });
}
