/**
 * What `onEvent` receives. Every idempotency event carries `path`, `owner` and `key`, so a log
 * line built from it traces to one caller and one intent.
 */
export type GuardrailsEvent =
  | LimitedEvent
  | ExecutedEvent
  | ReplayedEvent
  | ConflictEvent
  | FencedEvent
  | StoreErrorEvent;

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
  identifier: string;
  limit: number;
  remaining: number;
  reset: number;
  retryAfter: number;
  /** Set when the call was also idempotent: the owner and key it carried (no record was made). */
  owner?: string;
  key?: string;
}

/** The handler ran for a key (first execution or takeover after a lapsed lease). */
export interface ExecutedEvent extends IdempotencyEventBase {
  type: 'executed';
  token: number;
  takeover: boolean;
  outcome: 'result' | 'error';
  /** `false` when the error was not stored (`cacheError`) or the store could not save it. */
  stored: boolean;
  durationMs: number;
}

/** A stored outcome was returned without running the handler. */
export interface ReplayedEvent extends IdempotencyEventBase {
  type: 'replayed';
  outcome: 'result' | 'error';
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
  /** What the call did about it. */
  policy: 'deny' | 'allow';
  error: unknown;
  owner?: string;
  key?: string;
  scopes?: string[];
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
