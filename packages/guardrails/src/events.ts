import type { IdentityWarning } from './identity/identity-warning.js';

/**
 * What `onEvent` receives. Every idempotency event carries `path`, `owner` and `key`, so a log
 * line built from it traces to one caller and one intent.
 */
export type GuardrailsEvent =
  | LimitedEvent
  | BlockedEvent
  | ExecutedEvent
  | ReplayedEvent
  | ConflictEvent
  | FencedEvent
  | StoreErrorEvent
  | OutcomeStoredEvent
  | OutcomeLostEvent
  | UnguardedEvent
  | WarningEvent;

interface IdempotencyEventBase {
  path: string;
  /** The owner the record is scoped to (`'*'` when no `owner` is configured). */
  owner: string;
  key: string;
}

/** A call was rejected by a rate limit. */
export interface LimitedEvent {
  type: 'limited';
  path: string;
  scope: string;
  /** The procedure's own bucket in that scope, when it has one. */
  bucket?: string;
  identifier: string;
  limit: number;
  remaining: number;
  reset: number;
  retryAfter: number;
  /** Refused from the scope's `denialCache`, with no store round trip. */
  fromDenialCache?: boolean;
  /**
   * Set when the call was also idempotent: the owner and key it carried (no record was made). Not
   * on a refusal from the denial cache, which comes before the key is read.
   */
  owner?: string;
  key?: string;
}

/** A call was refused by a scope's deny list (no store work was done). */
export interface BlockedEvent {
  type: 'blocked';
  path: string;
  scope: string;
  identifier: string;
}

/** The handler ran for a key (first execution or takeover after a lapsed lease). */
export interface ExecutedEvent extends IdempotencyEventBase {
  type: 'executed';
  token: number;
  takeover: boolean;
  outcome: 'result' | 'error';
  /**
   * Whether the outcome was stored before the caller got its answer. `false` when the error was
   * not to be stored (`cacheError`), or the store failed: then the owner keeps retrying in the
   * background, and `outcome-stored` or `outcome-lost` follows.
   */
  stored: boolean;
  durationMs: number;
}

/** A stored outcome was returned without running the handler. */
export interface ReplayedEvent extends IdempotencyEventBase {
  type: 'replayed';
  outcome: 'result' | 'error' | 'unreplayable';
}

/** An outcome whose first `complete` failed was stored by a later, background attempt. */
export interface OutcomeStoredEvent extends IdempotencyEventBase {
  type: 'outcome-stored';
  token: number;
  attempts: number;
  /** From the end of the handler until the outcome was stored. */
  delayMs: number;
}

/**
 * The handler ran, and its outcome will never be recorded: the only case in which a later
 * duplicate may run the handler again. Reconcile from here (e.g. look the charge up at the
 * payment provider by `key`).
 * - `fenced`: the owner lost its lease (paused, or cut off from the store longer than the
 *   lease while others reached it) and another attempt took the record over;
 * - `expired`: the store stayed unreachable until the unfinished record's TTL passed;
 * - `shutdown`: `guard.close()` ran out of time;
 * - `overflow`: more outcomes were waiting for the store than `pendingOutcomes` allows.
 */
export interface OutcomeLostEvent extends IdempotencyEventBase {
  type: 'outcome-lost';
  token: number;
  reason: 'fenced' | 'expired' | 'shutdown' | 'overflow';
  /** Whether the handler returned (`result`) or threw (`error`). */
  outcome: 'result' | 'error';
  attempts: number;
  /** The last store error, when there was one. */
  error?: unknown;
}

/**
 * A call to a `.idempotent({ required: false })` procedure carried no key (or its `key` function
 * found none), so it went on without idempotency: no record, and a retry runs the handler again.
 * Count these per `owner` to find the clients that still send no key before making it required.
 */
export interface UnguardedEvent {
  type: 'unguarded';
  path: string;
  /** Who called, from `owner` (`'*'` when no `owner` is configured, absent when it gave none). */
  owner?: string;
}

/** A duplicate was refused: another call holds the key, or the input differs. */
export interface ConflictEvent extends IdempotencyEventBase {
  type: 'conflict';
  reason: 'in-progress' | 'payload-mismatch';
}

/** An execution lost its lease to a newer one; its outcome was not stored. */
export interface FencedEvent extends IdempotencyEventBase {
  type: 'fenced';
  token: number;
  operation: 'extend' | 'complete';
}

/** The store failed or timed out. */
export interface StoreErrorEvent {
  type: 'store-error';
  path: string;
  operation: 'check' | 'complete' | 'extend' | 'release';
  /**
   * What the call did about it: refused (`deny`), went on without the store (`allow`), or keeps
   * trying in the background (`retry`: a `complete`, whose outcome the owner holds).
   */
  policy: 'deny' | 'allow' | 'retry';
  error: unknown;
  owner?: string;
  key?: string;
  scopes?: string[];
}

/**
 * A misconfiguration noticed while serving, once per process and cause: e.g. requests carry
 * `X-Forwarded-For` but no proxy is trusted (from `guard.clientAddress`).
 */
export interface WarningEvent extends IdentityWarning {
  type: 'warning';
}

/** Calls `onEvent` without ever letting a listener's failure break a request. */
export function emitEvent(
  listener: ((event: GuardrailsEvent) => void) | undefined,
  event: GuardrailsEvent,
): void {
  if (!listener) return;
  try {
    listener(event);
  } catch (error) {
    console.error('[trpc-guardrails] onEvent threw; the call goes on', error);
  }
}
