import type { TRPCError } from '@trpc/server';
import type { Duration } from '../duration.js';
import type { StoreErrorPolicy } from '../rate-limit/options.js';
import type { FingerprintBudget } from './fingerprint.js';

/** What duplicates of a call that is still running get. */
export type ConcurrentPolicy = 'wait' | 'reject';

/** Guard-wide idempotency defaults, `createGuardrails({ idempotency })`. */
export interface IdempotencyConfig<TContext> {
  /**
   * Who is calling. Records are scoped by owner, so one owner's key never replays another
   * owner's result. Return a stable id (user id, API key id, IP for anonymous calls).
   * Without `owner`, keys are shared by every caller of a procedure — right for webhooks whose
   * key is a provider's event id, wrong for user-facing mutations.
   * @default undefined (one shared namespace per procedure)
   */
  owner?: (opts: { ctx: TContext; path: string }) => string | number | null | undefined;
  /**
   * How long a successful result is kept and replayed.
   * @default '24 h'
   */
  ttl?: Duration;
  /**
   * How long an execution may run without a heartbeat before a retry may take over. While the
   * handler runs, the lease is extended every third of it.
   * @default '60 s'
   */
  lease?: Duration;
  /**
   * How long a handler error is kept and replayed; after it, the key may run again.
   * @default '60 s'
   */
  errorTtl?: Duration;
  /**
   * `'wait'`: duplicates that arrive while the first call runs wait for its outcome (bounded by
   * the lease). `'reject'`: they get `CONFLICT` (409) at once, with `retryAfter`.
   * @default 'wait'
   */
  concurrent?: ConcurrentPolicy;
  /**
   * Return `false` to not store an error thrown by the handler, so that a retry runs again.
   * @default () => true
   */
  cacheError?: (error: TRPCError) => boolean;
  /**
   * `'deny'`: `SERVICE_UNAVAILABLE` when the store fails, and the handler does not run.
   * `'allow'`: the handler runs without idempotency protection.
   * @default 'deny'
   */
  onStoreError?: StoreErrorPolicy;
  /**
   * Longest wait for one store round trip before `onStoreError` applies.
   * @default '2 s'
   */
  timeout?: Duration;
  /**
   * How much input the fingerprint walks. Over it the call is refused (413 for size, 400 for
   * depth) before anything is stored. Inputs above 1,000 values or 64 KiB are fingerprinted only
   * after the rate limits have allowed the call (one more store round trip).
   * @default { maxDepth: 64, maxValues: 100_000, maxBytes: 8_388_608 }
   */
  fingerprint?: Partial<FingerprintBudget>;
}

/** What a `key` function gets. */
export interface IdempotencyKeyFnOptions<TContext> {
  ctx: TContext;
  /** The input as the client sent it, before any validator ran. */
  rawInput: unknown;
  path: string;
  /** The index of this call in a batched HTTP request (`0` when it is not batched). */
  batchIndex?: number;
}

/**
 * `.idempotent({ fingerprint })`: the guard-wide budget, and which part of the input a retry
 * must repeat.
 */
export interface IdempotentFingerprintOptions<TInput = unknown> extends Partial<FingerprintBudget> {
  /**
   * Picks the part of the input that makes the intent, so that a retry whose other fields
   * changed (a timestamp, a trace id) still replays; a change in the picked part is a 422
   * mismatch. It gets the input as the client sent it, before any validator ran and without
   * `idempotencyKey` — typed from the procedure's input when `.idempotent()` comes after
   * `.input()`, else `unknown`. A throw answers `BAD_REQUEST` (`input-malformed`); the picked
   * value is fingerprinted within the same budget as a whole input.
   * @default the whole input
   * @example
   * ```ts
   * .idempotent({ fingerprint: { select: (input) => ({ customerId: input.customerId, amountCents: input.amountCents }) } })
   * ```
   */
  select?: (input: TInput) => unknown;
}

/** Options of `.idempotent(options)`: the guard-wide defaults can be overridden per procedure. */
export interface IdempotentOptions<TContext, TInput = unknown>
  extends Omit<IdempotencyConfig<TContext>, 'owner' | 'fingerprint'> {
  /** Overrides the guard-wide `owner` for this procedure. */
  owner?: IdempotencyConfig<TContext>['owner'];
  /** Leave unset to read the key from `input.idempotencyKey`. */
  key?: undefined;
  /**
   * `false`: a call without a key (absent, `null` or `''`) runs unguarded — no record, no
   * replay, `ctx.idempotency.key` is `undefined` — and `onEvent` gets `unguarded`; a call with
   * a key is guarded as usual, and an invalid key is still a `BAD_REQUEST`. The input's
   * `idempotencyKey` becomes optional. Write the literal `false`: the types depend on it.
   * @default true
   */
  required?: boolean;
  /**
   * How much input the fingerprint walks (the guard-wide `fingerprint` budget, overridden per
   * field), and `select`: the part of the input it compares.
   * @default the guard's `idempotency.fingerprint`, the whole input
   */
  fingerprint?: IdempotentFingerprintOptions<TInput>;
}

/** `.idempotent({ key })`: the key is derived from the call instead of an input field. */
export interface KeyedIdempotentOptions<TContext, TInput = unknown>
  extends Omit<IdempotentOptions<TContext, TInput>, 'key'> {
  /**
   * Derives the key, e.g. a webhook's event id: `({ rawInput }) => rawInput.eventId`, or the
   * `Idempotency-Key` header: `fromHeader('Idempotency-Key')`.
   * Return `undefined` when there is none: the call is rejected with `BAD_REQUEST`, or runs
   * unguarded with `required: false`. A `TRPCError` it throws answers the call (after the rate
   * limits, like a bad key).
   */
  key: (opts: IdempotencyKeyFnOptions<TContext>) => string | null | undefined;
}
