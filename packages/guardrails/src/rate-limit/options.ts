import type { ProcedureType } from '@trpc/server';
import type { Duration } from '../duration.js';
import type { AccessList } from './access-list.js';
import type { Limiter } from './algorithms.js';

/** What happens to a call when the store cannot be reached in time. */
export type StoreErrorPolicy = 'deny' | 'allow';

/** What scope callbacks get about the call. */
export interface ScopeCallOptions<TContext> {
  ctx: TContext;
  path: string;
  type: ProcedureType;
}

/**
 * A limiter, or a function that picks one per call — e.g. from the caller's plan. Return `null`
 * or `undefined` to leave the call unlimited by this scope (an internal service, say). The
 * function runs on every call, so keep it to a lookup; the call still takes one store round trip.
 *
 * @example
 * ```ts
 * const plans = { free: slidingWindow(10, '1 m'), pro: slidingWindow(1000, '1 m') };
 * limiter: ({ ctx }) => plans[ctx.tenant.plan]
 * ```
 */
export type LimiterChoice<TContext> =
  | Limiter
  | ((opts: ScopeCallOptions<TContext>) => Limiter | null | undefined);

/**
 * Identifiers a scope lets through, or refuses: an {@link AccessList} (changeable at runtime), or
 * an array of entries — identifiers as `identify` returns them, IP addresses, CIDR blocks.
 */
export type AccessListOption = AccessList | readonly string[];

/** One rate-limit scope of `createGuardrails({ scopes })`. */
export interface ScopeConfig<TContext> {
  /**
   * The algorithm: `slidingWindow(...)`, `fixedWindow(...)` or `tokenBucket(...)` — or a function
   * that picks one per call (tiers, runtime-changeable limits). Callers moved to a bigger limit
   * keep what they used in the current window (same algorithm and window length).
   */
  limiter: LimiterChoice<TContext>;
  /**
   * Who is being limited. Return `undefined` or `null` to skip this scope for the call (e.g. an
   * anonymous caller for a `user` scope). Identifiers longer than 128 characters are hashed.
   */
  identify: (opts: ScopeCallOptions<TContext>) => string | number | null | undefined;
  /**
   * Identifiers this scope never limits (your office network, a monitoring probe). Decided in
   * process, with no store round trip. An identifier on both lists is refused.
   */
  allow?: AccessListOption;
  /**
   * Identifiers this scope always refuses, with `FORBIDDEN` (403) and `{ kind: 'blocked', scope }`,
   * before anything else happens: no store round trip, no idempotency record, no handler.
   */
  deny?: AccessListOption;
  /**
   * Refuses again, with no store round trip, a caller this scope refused, until the earliest time
   * the store said its call could pass (the window's end, the next tokens): hammering clients cost
   * nothing then. Never refuses what the store would allow — other calls only push that time later
   * — except after `resetLimit` on another instance, which this one learns when the time is up.
   * @default false
   */
  denialCache?: boolean;
  /**
   * `'deny'` answers `SERVICE_UNAVAILABLE` when the store fails or times out; `'allow'` lets the
   * call through. `onEvent` gets `store-error` either way.
   * @default 'deny'
   */
  onStoreError?: StoreErrorPolicy;
  /**
   * Longest wait for the store before `onStoreError` applies.
   * @default '2 s'
   */
  timeout?: Duration;
}

/** Options of `.rateLimited(scope, options)`. */
export interface RateLimitedOptions<TContext = unknown> {
  /**
   * Units one call consumes.
   * @default 1
   */
  cost?: number;
  /**
   * This procedure's own limit in the scope(s): counted in a bucket of its own, beside the
   * scope's shared one — `checkout` at 3 per minute per user next to `search` at 100. The scope
   * still decides who the caller is, and its allow and deny lists apply.
   */
  limiter?: LimiterChoice<TContext>;
  /**
   * Names the bucket, so that several procedures share it (`bucket: 'exports'`). Without it, a
   * procedure with its own `limiter` counts in a bucket named by its path, and one without counts
   * in the scope's shared bucket.
   */
  bucket?: string;
}
