import { markInProcess } from '../in-process.js';
import { limitKey, limitKeys } from '../limit-key.js';
import { outcomeBytes } from '../outcome-size.js';
import type {
  CheckRequest,
  CheckResult,
  ClaimRequest,
  ClaimResult,
  CompleteRequest,
  CompleteResult,
  EvictRequest,
  EvictResult,
  ExtendRequest,
  ExtendResult,
  FencedResult,
  GuardrailsStore,
  LimitRequest,
  LimitResult,
  RecordView,
  ReleaseRequest,
  ResetLimitRequest,
  StoredOutcome,
} from '../types.js';
import { flat } from './flat-key.js';
import { type LimitState, peekLimit } from './rate-limiters.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How often, at most, expired counters and records are swept (on the next call after it).
   * @default 1000
   */
  sweepIntervalMs?: number;
  /**
   * Clock, for tests that need to move time. Claim and extension deadlines are on the caller's
   * clock (`Date.now()`), whatever this is.
   * @default Date.now
   */
  now?: () => number;
  /**
   * The largest outcome payload kept, in UTF-8 bytes; bigger ones are stored as a "too large
   * to replay" marker.
   * @default undefined (no limit)
   */
  maxResultBytes?: number;
}

/**
 * Every field is present from the start (`undefined` when unset), and none is ever deleted: V8
 * keeps such objects compact, while a `delete` turns one into a dictionary several times its size.
 */
interface StoredRecord {
  fingerprint: string;
  token: number;
  expiresAt: number;
  state: 'pending' | 'done';
  /** The owner's claim; kept once done, so the owner's retried complete is recognised. */
  claimId: string;
  takeover: boolean;
  leaseUntil: number | undefined;
  /** When a claim first found the lease lapsed; a takeover needs `graceMs` more. */
  lapsedSince: number | undefined;
  outcome: StoredOutcome | undefined;
  completedAt: number | undefined;
}

/**
 * A store in this process's memory, with the same semantics as the Upstash store. For
 * development, tests and single-instance apps; several server instances need a shared store.
 * Memory stays bounded by live entries: expired counters and records are swept.
 *
 * @example
 * ```ts
 * const guard = createGuardrails<Context>()({ store: memoryStore(), scopes: {...} });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): GuardrailsStore & { readonly size: number } {
  const { sweepIntervalMs = 1000, now: clock = Date.now, maxResultBytes } = options;
  if (typeof clock !== 'function')
    throw new TypeError('[trpc-guardrails] memoryStore({ now }) must be a function');
  if (typeof sweepIntervalMs !== 'number' || !(sweepIntervalMs >= 0)) {
    throw new TypeError(
      `[trpc-guardrails] memoryStore({ sweepIntervalMs }) must be a number of milliseconds >= 0, got ${String(sweepIntervalMs)}`,
    );
  }
  if (maxResultBytes !== undefined && !(Number.isSafeInteger(maxResultBytes) && maxResultBytes > 0)) {
    throw new TypeError(
      `[trpc-guardrails] memoryStore({ maxResultBytes }) must be a positive integer, got ${String(maxResultBytes)}`,
    );
  }
  const counters = new Map<string, LimitState>();
  const records = new Map<string, StoredRecord>();
  let lastToken = 0;
  let nextSweepAt = 0;

  /** The sweep in progress: it resumes where the last call left it, `SWEEP_STEP` entries at a time. */
  let sweeping: IterableIterator<[string, { expiresAt: number }]> | undefined;
  let sweepingRecords = false;

  function tick(): number {
    const now = clock();
    if (sweeping || now >= nextSweepAt) sweepStep(now);
    return now;
  }

  /**
   * Deletes expired entries among the next few thousand, so that no call pays for a walk over a
   * million keys (a Map's iterator stays valid while entries are added and deleted). A sweep goes
   * through the counters, then the records, then rests `sweepIntervalMs`.
   */
  function sweepStep(now: number): void {
    for (let visited = 0; visited < SWEEP_STEP; visited++) {
      sweeping ??= sweepingRecords ? records.entries() : counters.entries();
      const next = sweeping.next();
      if (next.done) {
        sweeping = undefined;
        sweepingRecords = !sweepingRecords;
        if (!sweepingRecords) {
          nextSweepAt = now + sweepIntervalMs;
          return;
        }
        continue;
      }
      const [key, entry] = next.value;
      if (entry.expiresAt <= now) (sweepingRecords ? records : counters).delete(key);
    }
  }

  /** Strictly increasing, and close to wall-clock microseconds like the Redis store's tokens. */
  function nextToken(now: number, previous = 0): number {
    lastToken = Math.max(lastToken + 1, previous + 1, now * 1000);
    return lastToken;
  }

  function claim(request: ClaimRequest, now: number): ClaimResult {
    const record = live(records, request.key, now);
    if (record) {
      if (record.fingerprint !== request.fingerprint) return { status: 'mismatch' };
      if (record.state === 'done') {
        return { status: 'completed', outcome: record.outcome!, expiresInMs: record.expiresAt - now };
      }
      if (record.claimId === request.claimId) {
        return { status: 'acquired', token: record.token, takeover: record.takeover };
      }
      if (record.leaseUntil! > now) return { status: 'in-progress', leaseExpiresAt: record.leaseUntil! };
      const late = Date.now() > request.deadline;
      if (record.lapsedSince === undefined || record.lapsedSince < record.leaseUntil! || late) {
        // A late claim means a stall: the grace starts again (it can only postpone a takeover).
        record.lapsedSince = now;
        if (late) return { status: 'expired' };
        return { status: 'in-progress', leaseExpiresAt: now + request.graceMs };
      }
      if (now - record.lapsedSince < request.graceMs) {
        return { status: 'in-progress', leaseExpiresAt: record.lapsedSince + request.graceMs };
      }
    }
    // Only a change needs the caller to still be waiting.
    if (Date.now() > request.deadline) return { status: 'expired' };
    if (!record) {
      const token = nextToken(now);
      records.set(flat(request.key), {
        fingerprint: request.fingerprint,
        token,
        expiresAt: now + request.ttlMs,
        state: 'pending',
        claimId: request.claimId,
        takeover: false,
        leaseUntil: now + request.leaseMs,
        lapsedSince: undefined,
        outcome: undefined,
        completedAt: undefined,
      });
      return { status: 'acquired', token, takeover: false };
    }
    record.token = nextToken(now, record.token);
    record.claimId = request.claimId;
    record.takeover = true;
    record.leaseUntil = now + request.leaseMs;
    record.lapsedSince = undefined;
    record.expiresAt = now + request.ttlMs;
    return { status: 'acquired', token: record.token, takeover: true };
  }

  function owned(key: string, claimId: string, now: number): StoredRecord | undefined {
    const record = live(records, key, now);
    return record?.state === 'pending' && record.claimId === claimId ? record : undefined;
  }

  return markInProcess({
    maxResultBytes,
    get size() {
      return counters.size + records.size;
    },
    async check({ limits, claim: claimRequest }: CheckRequest): Promise<CheckResult> {
      const now = tick();
      // Decide every limit first and take only when all allow: a refused call costs nothing.
      const verdicts = limits.map((limit) => {
        const key = limitKey(limit);
        return peekLimit(live(counters, key, now), key, limit.limiter, limit.cost, now);
      });
      const allowed = verdicts.every((verdict) => verdict.success);
      const late = claimRequest !== undefined && Date.now() > claimRequest.deadline;
      const take = allowed && !late;
      const results = verdicts.map(({ take: _, ...result }, index) => {
        if (take || !result.success) return result;
        return { ...result, remaining: result.remaining + limits[index]!.cost };
      });
      if (take) for (const verdict of verdicts) verdict.take(counters);
      if (!claimRequest) return { limits: results };
      return { limits: results, claim: allowed ? claim(claimRequest, now) : { status: 'skipped' } };
    },
    async complete({ key, claimId, outcome, ttlMs }: CompleteRequest): Promise<CompleteResult> {
      const now = tick();
      const record = live(records, key, now);
      if (record?.claimId !== claimId) return 'fenced';
      if (record.state === 'done') return 'ok';
      if (maxResultBytes !== undefined && outcomeBytes(outcome) > maxResultBytes) return 'too-large';
      record.state = 'done';
      record.outcome = outcome;
      record.completedAt = now;
      record.expiresAt = now + ttlMs;
      record.leaseUntil = undefined;
      return 'ok';
    },
    async extend({ key, claimId, leaseMs, deadline }: ExtendRequest): Promise<ExtendResult> {
      const now = tick();
      // Completed by this very claim: still its own (its complete's answer may have been lost).
      const done = live(records, key, now);
      if (done?.state === 'done' && done.claimId === claimId) return 'ok';
      const record = owned(key, claimId, now);
      if (!record) return 'fenced';
      if (Date.now() > deadline) return 'expired';
      record.leaseUntil = now + leaseMs;
      return 'ok';
    },
    async release({ key, claimId }: ReleaseRequest): Promise<FencedResult> {
      const now = tick();
      if (!owned(key, claimId, now)) return 'fenced';
      records.delete(key);
      return 'ok';
    },
    async inspect(key: string): Promise<RecordView> {
      const record = live(records, key, tick());
      if (!record) return { state: 'absent' };
      const { fingerprint, token, expiresAt } = record;
      if (record.state === 'pending') {
        return {
          state: 'in-progress',
          fingerprint,
          token,
          expiresAt,
          takeover: record.takeover,
          leaseExpiresAt: record.leaseUntil!,
        };
      }
      return {
        state: 'done',
        fingerprint,
        token,
        expiresAt,
        outcome: record.outcome!,
        completedAt: record.completedAt,
      };
    },
    async evict({ key, force = false }: EvictRequest): Promise<EvictResult> {
      const now = tick();
      const record = live(records, key, now);
      if (!record) return 'absent';
      if (record.state === 'pending' && record.leaseUntil! > now && !force) return 'in-progress';
      records.delete(key);
      return 'evicted';
    },
    async peekLimit(limit: LimitRequest): Promise<LimitResult> {
      const now = tick();
      const key = limitKey(limit);
      const { take: _, ...result } = peekLimit(live(counters, key, now), key, limit.limiter, limit.cost, now);
      return result;
    },
    async resetLimit(request: ResetLimitRequest): Promise<'reset' | 'absent'> {
      let deleted = false;
      for (const key of limitKeys(request)) deleted = counters.delete(key) || deleted;
      return deleted ? 'reset' : 'absent';
    },
  });
}

/** Entries one call's sweep step looks at: ~20–60 µs of work. */
const SWEEP_STEP = 2_000;

function live<T extends { expiresAt: number }>(map: Map<string, T>, key: string, now: number): T | undefined {
  const entry = map.get(key);
  if (entry && entry.expiresAt <= now) {
    map.delete(key);
    return undefined;
  }
  return entry;
}
