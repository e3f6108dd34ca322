import type { ResolvedIdempotency, ResolvedScope } from '../guard/runtime.js';
import type { IdempotencyKeyFnOptions } from '../idempotency/options.js';
import type { OutcomeTransformer } from '../idempotency/outcome.js';
import type { LimiterChoice } from '../rate-limit/options.js';

/** @internal One `.rateLimited()` call. */
export interface LimitStep {
  kind: 'limit';
  scopes: readonly ResolvedScope[];
  cost: number;
  /** The procedure's own limiter, in place of each scope's. */
  limiter: LimiterChoice<any> | undefined;
  /** The procedure's own bucket: a name, or `path` for one per procedure; none = the scope's. */
  bucket: { name: string } | 'path' | undefined;
}

/** @internal One `.idempotent()` call. */
export interface IdempotentStep {
  kind: 'idempotent';
  settings: ResolvedIdempotency;
  key: ((opts: IdempotencyKeyFnOptions<any>) => string | null | undefined) | undefined;
  /** `false`: a call without a key runs unguarded instead of being refused. */
  required: boolean;
  /** The part of the input the fingerprint covers; `undefined` for all of it. */
  select: ((input: unknown) => unknown) | undefined;
  /** The tRPC instance's transformer: how results are stored and replayed. */
  transformer: OutcomeTransformer;
}

/**
 * @internal Consecutive guard calls are kept pending until the chain moves on, then run as one
 * middleware — so their store work travels in a single round trip.
 */
export type GuardStep = LimitStep | IdempotentStep;
