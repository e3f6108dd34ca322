/**
 * One owner between its claim and the moment its outcome landed or was given up. Its promises
 * are made only when something waits on them (`close()`, a background retry): most outcomes land
 * at once and never need one.
 */
export class PendingOutcome {
  /** Bytes held for the background retries (0 while none are). */
  bytes = 0;
  /** `close()` ran out of time: stop retrying and report the outcome lost. */
  givenUp = false;
  private done = false;
  private settledWait: Deferred | undefined;
  private givenUpWait: Deferred | undefined;

  constructor(private readonly onSettled: (entry: PendingOutcome) => void) {}

  /** Settles when the outcome landed or was given up. */
  get settled(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.settledWait ??= deferred();
    return this.settledWait.promise;
  }

  /** Resolves when `giveUp()` is called, so waits can be cut short. */
  get whenGivenUp(): Promise<void> {
    if (this.givenUp) return Promise.resolve();
    this.givenUpWait ??= deferred();
    return this.givenUpWait.promise;
  }

  giveUp(): void {
    this.givenUp = true;
    this.givenUpWait?.resolve();
  }

  settle(): void {
    if (this.done) return;
    this.done = true;
    this.onSettled(this);
    this.settledWait?.resolve();
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * @internal The guard's owners still holding an outcome: the bounds on what may wait in memory
 * for an unreachable store, and what `close()` waits for.
 */
export class PendingOutcomes {
  private readonly entries = new Set<PendingOutcome>();
  private heldCount = 0;
  private heldBytes = 0;
  private closingSince: number | undefined;
  private readonly untrack = (entry: PendingOutcome): void => {
    this.entries.delete(entry);
    if (entry.bytes > 0) {
      this.heldCount -= 1;
      this.heldBytes -= entry.bytes;
    }
  };

  constructor(private readonly limits: { maxCount: number; maxBytes: number }) {}

  /** Whether `close()` has been called: new claims are refused from then on. */
  get closing(): boolean {
    return this.closingSince !== undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  /** A new owner's entry, tracked until it settles. */
  start(): PendingOutcome {
    const entry = new PendingOutcome(this.untrack);
    this.entries.add(entry);
    return entry;
  }

  /** Reserves room for an outcome kept for background retries; `false` over the bounds. */
  hold(entry: PendingOutcome, bytes: number): boolean {
    const size = Math.max(1, bytes);
    if (this.heldCount + 1 > this.limits.maxCount || this.heldBytes + size > this.limits.maxBytes)
      return false;
    entry.bytes = size;
    this.heldCount += 1;
    this.heldBytes += size;
    return true;
  }

  /**
   * Waits until every owner's outcome has landed or been given up, for at most `timeoutMs`;
   * then gives the rest up (each reports `outcome-lost`, a handler still running when it
   * ends). New claims are refused from the first call on.
   */
  async close(timeoutMs: number): Promise<{ pending: number; givenUp: number }> {
    this.closingSince ??= Date.now();
    const pending = this.entries.size;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const all = Promise.all([...this.entries].map((entry) => entry.settled));
    const outcome = await Promise.race([all.then(() => 'settled' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'settled') return { pending, givenUp: 0 };
    const remaining = [...this.entries];
    for (const entry of remaining) entry.giveUp();
    return { pending, givenUp: remaining.length };
  }
}
