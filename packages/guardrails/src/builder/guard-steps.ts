import type { ResolvedIdempotency, ResolvedScope } from '../guard/runtime.js';
import type { IdempotencyKeyFnOptions } from '../idempotency/options.js';
import type { OutcomeTransformer } from '../idempotency/outcome.js';

/** @internal One `.rateLimited()` call. */
export interface LimitStep {
  kind: 'limit';
  scopes: readonly ResolvedScope[];
  cost: number;
}

/** @internal One `.idempotent()` call. */
export interface IdempotentStep {
  kind: 'idempotent';
  settings: ResolvedIdempotency;
  key: ((opts: IdempotencyKeyFnOptions<any>) => string | null | undefined) | undefined;
  /** The tRPC instance's transformer: how results are stored and replayed. */
  transformer: OutcomeTransformer;
}

/**
 * @internal Consecutive guard calls are kept pending until the chain moves on, then run as one
 * middleware — so their store work travels in a single round trip.
 */
export type GuardStep = LimitStep | IdempotentStep;
