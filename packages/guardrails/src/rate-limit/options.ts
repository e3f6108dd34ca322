import type { ProcedureType } from '@trpc/server';
import type { Duration } from '../duration.js';
import type { Limiter } from './algorithms.js';

/** What happens to a call when the store cannot be reached in time. */
export type StoreErrorPolicy = 'deny' | 'allow';

/** One rate-limit scope of `createGuardrails({ scopes })`. */
export interface ScopeConfig<TContext> {
  /** The algorithm: `slidingWindow(...)`, `fixedWindow(...)` or `tokenBucket(...)`. */
  limiter: Limiter;
  /**
   * Who is being limited. Return `undefined` or `null` to skip this scope for the call (e.g. an
   * anonymous caller for a `user` scope). Identifiers longer than 128 characters are hashed.
   */
  identify: (opts: {
    ctx: TContext;
    path: string;
    type: ProcedureType;
  }) => string | number | null | undefined;
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
// biome-ignore lint/correctness/noUnusedVariables: filled in by per-call limiters
export interface RateLimitedOptions<TContext = unknown> {
  /**
   * Units one call consumes.
   * @default 1
   */
  cost?: number;
}
