import type { StoredOutcome } from '../stores/types.js';

/** Options of `createGuardrails({ replayCache })`. */
export interface ReplayCacheOptions {
  /**
   * Most outcomes kept; the least recently used goes first.
   * @default 10_000
   */
  maxEntries?: number;
  /**
   * Most bytes of outcome payloads kept.
   * @default 16_777_216 (16 MiB)
   */
  maxBytes?: number;
  /**
   * Longest an outcome is answered from this process after it was stored or read — however long
   * the record itself lives. It bounds how long an admin `evict` takes to reach other instances.
   * @default '60 s'
   */
  maxAge?: import('../duration.js').Duration;
}

interface Entry {
  fingerprint: string;
  outcome: StoredOutcome;
  expiresAt: number;
  bytes: number;
}

/** What a lookup found: the outcome to replay, or a different input under the same key. */
export type CachedAnswer = { kind: 'replay'; outcome: StoredOutcome } | { kind: 'mismatch' };

/**
 * @internal Finished outcomes this process stored or read, answered again with no store round
 * trip. A finished record never changes until it expires (or an operator evicts it), so a replay
 * from here is what the store would answer; entries never outlive the record, nor `maxAge`. The
 * owner (part of the record key) and the fingerprint are checked exactly as the store checks them.
 */
export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly limits: { maxEntries: number; maxBytes: number; maxAgeMs: number },
    private readonly clock: () => number = Date.now,
  ) {}

  lookup(recordKey: string, fingerprint: string): CachedAnswer | undefined {
    const entry = this.entries.get(recordKey);
    if (!entry || entry.expiresAt <= this.clock()) {
      if (entry) this.drop(recordKey, entry);
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(recordKey);
    this.entries.set(recordKey, entry);
    return entry.fingerprint === fingerprint
      ? { kind: 'replay', outcome: entry.outcome }
      : { kind: 'mismatch' };
  }

  /** Keeps a finished outcome until `expiresAt` (the record's expiry), at most `maxAge`. */
  remember(recordKey: string, fingerprint: string, outcome: StoredOutcome, expiresAt: number): void {
    const bytes = outcome.kind === 'result' ? outcome.payload.length * 2 : 256;
    if (bytes > this.limits.maxBytes) return;
    const previous = this.entries.get(recordKey);
    if (previous) this.drop(recordKey, previous);
    const until = Math.min(expiresAt, this.clock() + this.limits.maxAgeMs);
    this.entries.set(recordKey, { fingerprint, outcome, expiresAt: until, bytes });
    this.bytes += bytes;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.drop(key, entry);
    }
  }

  /** Forgets a record (this process evicted it). */
  forget(recordKey: string): void {
    const entry = this.entries.get(recordKey);
    if (entry) this.drop(recordKey, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
