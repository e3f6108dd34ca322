import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import type { GuardRuntime, ResolvedIdempotency, ResolvedScope } from '../guard/runtime.js';
import type { IdempotencyKeyFnOptions } from '../idempotency/options.js';
import type { OutcomeTransformer } from '../idempotency/outcome.js';
import { isLimiter } from '../rate-limit/algorithms.js';
import { assertAffordable, checkLimiterChoice } from '../rate-limit/limiter-choice.js';
import type { LimiterChoice, RateLimitedOptions } from '../rate-limit/options.js';

/** @internal One `.rateLimited()` call (or the limits of `guard.limit()` / `guard.once()`). */
export interface LimitStep {
  kind: 'limit';
  scopes: readonly ResolvedScope[];
  cost: number;
  /** The procedure's own limiter, in place of each scope's. */
  limiter: LimiterChoice<any> | undefined;
  /** The procedure's own bucket: a name, or `path` for one per procedure; none = the scope's. */
  bucket: { name: string } | 'path' | undefined;
}

/** @internal One `.idempotent()` call (or the claim of `guard.once()`). */
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

const BUCKET_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * @internal Checks the scope names and options of `.rateLimited()` (or of `guard.limit()`, named
 * by `method` in the messages) once, into a step.
 */
export function resolveLimitStep(
  runtime: GuardRuntime,
  scope: unknown,
  options: RateLimitedOptions<any>,
  method = '.rateLimited',
): LimitStep {
  const names = Array.isArray(scope) ? scope : [scope];
  const configured = [...runtime.scopes.keys()];
  if (names.length === 0) {
    throw new GuardrailsConfigError(`${method}() needs at least one scope name`);
  }
  const scopes = names.map((name) => {
    const resolved = typeof name === 'string' ? runtime.scopes.get(name) : undefined;
    if (!resolved) {
      throw new GuardrailsConfigError(
        `scope ${describe(name)} is not configured; configured scopes: ${configured.join(', ') || '(none — add `scopes` to createGuardrails)'}`,
      );
    }
    return resolved;
  });
  if (typeof options !== 'object' || options === null) {
    throw new GuardrailsConfigError(`${method}() options must be an object, got ${describe(options)}`);
  }
  const cost = options.cost ?? 1;
  if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 1) {
    throw new GuardrailsConfigError(`${method}() cost must be a positive integer, got ${describe(cost)}`);
  }
  const limiter =
    options.limiter === undefined ? undefined : checkLimiterChoice(options.limiter, `${method}({ limiter })`);
  const { bucket } = options;
  if (bucket !== undefined && (typeof bucket !== 'string' || !BUCKET_PATTERN.test(bucket))) {
    throw new GuardrailsConfigError(
      `${method}({ bucket }) must be 1–64 letters, digits or _ - . (e.g. 'checkout'), got ${describe(bucket)}`,
    );
  }
  // Static limiters are checked now; ones picked per call are checked when they are picked.
  for (const resolved of scopes) {
    const applied = limiter ?? resolved.limiter;
    if (isLimiter(applied)) assertAffordable(applied, cost, `scope "${resolved.name}"`);
  }
  return {
    kind: 'limit',
    scopes,
    cost,
    limiter,
    bucket: bucket !== undefined ? { name: bucket } : limiter !== undefined ? 'path' : undefined,
  };
}
