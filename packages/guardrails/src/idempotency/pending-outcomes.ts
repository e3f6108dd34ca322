/** One owner between its claim and the moment its outcome landed or was given up. */
export interface PendingOutcome {
  /** Settles when the outcome landed or was given up. */
  readonly settled: Promise<void>;
  /** Bytes held for the background retries (0 while none are). */
  bytes: number;
  /** `close()` ran out of time: stop retrying and report the outcome lost. */
  readonly givenUp: boolean;
  /** Resolves when `giveUp()` is called, so waits can be cut short. */
  readonly whenGivenUp: Promise<void>;
  giveUp(): void;
  settle(): void;
}

/** @internal A fresh entry; `track` it in the guard's {@link PendingOutcomes}. */
export function createPendingOutcome(): PendingOutcome {
  let settle!: () => void;
  let giveUp!: () => void;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const whenGivenUp = new Promise<void>((resolve) => {
    giveUp = resolve;
  });
  const entry: PendingOutcome = {
    settled,
    bytes: 0,
    givenUp: false,
    whenGivenUp,
    giveUp() {
      (entry as { givenUp: boolean }).givenUp = true;
      giveUp();
    },
    settle,
  };
  return entry;
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

  constructor(private readonly limits: { maxCount: number; maxBytes: number }) {}

  /** Whether `close()` has been called: new claims are refused from then on. */
  get closing(): boolean {
    return this.closingSince !== undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  track(entry: PendingOutcome): void {
    this.entries.add(entry);
    void entry.settled.then(() => {
      this.entries.delete(entry);
      if (entry.bytes > 0) {
        this.heldCount -= 1;
        this.heldBytes -= entry.bytes;
      }
    });
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
