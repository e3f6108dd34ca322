/** Thrown when a store call outlives its timeout. */
export class StoreTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`[trpc-guardrails] store ${operation} did not answer within ${timeoutMs} ms`);
    this.name = 'StoreTimeoutError';
  }
}

/** Races a store call against a timer, so a dead store cannot hang a request. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(operation, timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
