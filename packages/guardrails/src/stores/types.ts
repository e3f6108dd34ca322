import type { Limiter } from '../rate-limit/algorithms.js';

/**
 * Where guardrails keep rate-limit counters and idempotency records.
 *
 * A store is four methods. Every method is one round trip to the backend: the guard batches all
 * rate-limit scopes of a call, and the idempotency claim after them, into a single `check`.
 * Keys arrive fully namespaced and safe to use as-is (printable ASCII, bounded length, one
 * `{hash tag}` per record so cluster backends keep each operation on one slot).
 *
 * Implement it to add a backend; run the shared contract suite (`describeStore`) against it.
 */
export interface GuardrailsStore {
  /**
   * Applies every limit (in order) and, when `claim` is given, claims the idempotency record —
   * in one round trip. A store may skip the claim when a limit denies; if it claims anyway, the
   * guard releases the claim.
   */
  check(request: CheckRequest): Promise<CheckResult>;
  /**
   * Stores the outcome of a claimed record, only if `claimId` still owns it. Idempotent: the
   * same claim completing again (a retry after a lost answer) answers `ok`.
   */
  complete(request: CompleteRequest): Promise<CompleteResult>;
  /**
   * Pushes the lease of a claimed record forward, only if `claimId` still owns it; a record this
   * claim completed answers `ok` unchanged (its complete landed, the answer may not have).
   */
  extend(request: ExtendRequest): Promise<ExtendResult>;
  /** Deletes a claimed, unfinished record, only if `claimId` still owns it. */
  release(request: ReleaseRequest): Promise<FencedResult>;
  /**
   * Reads an idempotency record without changing it, for operators (`guard.inspect`). Optional:
   * the guard says clearly when a store lacks it.
   */
  inspect?(key: string): Promise<RecordView>;
  /**
   * Deletes an idempotency record, so its key runs again. A record whose owner still holds a live
   * lease is kept (`in-progress`) unless `force`: evicting it would let a retry run beside the
   * owner.
   */
  evict?(request: EvictRequest): Promise<EvictResult>;
  /** What a call of `cost` would get now, taking nothing (`cost: 0` reads what is left). */
  peekLimit?(request: LimitRequest): Promise<LimitResult>;
  /** Forgets a limit's state for one identifier, under every algorithm. */
  resetLimit?(request: ResetLimitRequest): Promise<'reset' | 'absent'>;
  /**
   * The largest outcome (in UTF-8 bytes of its payload) this store can keep; the guard records
   * a small "too large to replay" marker instead of a bigger one.
   * @default undefined (no limit)
   */
  readonly maxResultBytes?: number;
}

export interface CheckRequest {
  limits: readonly LimitRequest[];
  claim?: ClaimRequest;
}

export interface CheckResult {
  /** One result per requested limit, in request order. */
  limits: LimitResult[];
  /** Present when a claim was requested (a store that skipped it after a denial says `skipped`). */
  claim?: ClaimResult;
}

export interface LimitRequest {
  /** Namespace of the scope's counters, e.g. `shop:rl:ip`. */
  prefix: string;
  /** The encoded identifier, already hash-tagged, e.g. `{203.0.113.9}`. */
  identifier: string;
  limiter: Limiter;
  /** Units to consume (>= 1). */
  cost: number;
}

export interface LimitResult {
  success: boolean;
  /** The limit in force (the token bucket's size for `tokenBucket`). */
  limit: number;
  remaining: number;
  /** Epoch ms when the window resets or the next tokens arrive. */
  reset: number;
  /**
   * For a refused call: the earliest time (epoch ms) a call of the same cost could pass if nobody
   * else called — never later than the truth. The guard may refuse locally until then
   * (`denialCache`). Stores that do not know leave it out.
   */
  retryAt?: number;
}

export interface ClaimRequest {
  /** The record's key, e.g. `shop:idem:{checkout.pay:u_1:3f9c…}`. */
  key: string;
  /** Fingerprint of the canonical input; a claim with another fingerprint is a mismatch. */
  fingerprint: string;
  /** Random id of this attempt; `complete`, `extend` and `release` must present it. */
  claimId: string;
  leaseMs: number;
  /** How long an unfinished record is kept at most (its lease may be taken over earlier). */
  ttlMs: number;
  /**
   * How long a lapsed lease must stay unrenewed before a claim may take it over. The first
   * claim that finds a lease lapsed only marks the lapse and answers `in-progress` (retry at
   * the mark + `graceMs`); a claim after that takes over if the owner did not extend meanwhile.
   * After a store stall an owner's queued extension and a duplicate's queued claim land in any
   * order: this keeps the live owner's record.
   */
  graceMs: number;
  /**
   * When the caller stops waiting (epoch ms, the caller's clock). A claim that reaches the
   * backend later must take no effect and answer `expired`: its caller has already answered
   * 503, and nobody would run the handler. Translate it to the backend's clock conservatively
   * (rather too early than too late).
   */
  deadline: number;
}

export type ClaimResult =
  /** The caller owns the record now; `token` is its fencing token (strictly increasing per key). */
  | { status: 'acquired'; token: number; takeover: boolean }
  /** Another attempt holds an unexpired lease. */
  | { status: 'in-progress'; leaseExpiresAt: number }
  /**
   * The record holds a finished outcome with the same fingerprint. `expiresInMs`: how long the
   * record still lives, when the store says (the guard's optional replay cache needs it).
   */
  | { status: 'completed'; outcome: StoredOutcome; expiresInMs?: number }
  /** The record was created with a different input. */
  | { status: 'mismatch' }
  /** The store did not claim because a limit denied. */
  | { status: 'skipped' }
  /** The claim reached the backend after its `deadline` and changed nothing. */
  | { status: 'expired' };

/**
 * A finished outcome as stored: the result serialized with the app's tRPC transformer, an
 * error's code and message, or a marker for a result that could not be kept (too large for the
 * store, or not serializable), so that duplicates are refused instead of running again.
 */
export type StoredOutcome =
  | { kind: 'result'; payload: string }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'unreplayable'; cause: UnreplayableCause; bytes: number; executedAt: number };

/** Why a result could not be stored for replay. */
export type UnreplayableCause = 'too-large' | 'not-serializable';

export interface CompleteRequest {
  key: string;
  claimId: string;
  outcome: StoredOutcome;
  ttlMs: number;
}

export interface ExtendRequest {
  key: string;
  claimId: string;
  leaseMs: number;
  /** As for a claim: an extension that reaches the backend later changes nothing (`expired`). */
  deadline: number;
}

export interface ReleaseRequest {
  key: string;
  claimId: string;
}

/** `ok` when the caller still owned the record; `fenced` when a newer claim (or nothing) is there. */
export type FencedResult = 'ok' | 'fenced';

/** A complete also answers `too-large` when the backend refused the outcome for its size. */
export type CompleteResult = FencedResult | 'too-large';

/** An extension also answers `expired` when it reached the backend after its deadline. */
export type ExtendResult = FencedResult | 'expired';

/** An idempotency record as `inspect` reads it. Times are epoch ms on the caller's clock. */
export type RecordView =
  | { state: 'absent' }
  | {
      state: 'in-progress';
      fingerprint: string;
      /** The owner's fencing token. */
      token: number;
      /** Whether the owner took the record over from a lapsed lease. */
      takeover: boolean;
      leaseExpiresAt: number;
      /** When the record is dropped if nobody completes it. */
      expiresAt: number;
    }
  | {
      state: 'done';
      fingerprint: string;
      token: number;
      outcome: StoredOutcome;
      /** When the outcome was stored (absent on records written before this was recorded). */
      completedAt: number | undefined;
      /** When the outcome stops being replayed. */
      expiresAt: number;
    };

export interface EvictRequest {
  key: string;
  /** Evict even while the owner's lease is live. */
  force?: boolean;
}

/** `in-progress`: kept, because its owner holds a live lease (pass `force` to evict anyway). */
export type EvictResult = 'evicted' | 'absent' | 'in-progress';

export interface ResetLimitRequest {
  prefix: string;
  identifier: string;
}
