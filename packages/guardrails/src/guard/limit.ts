import { type MiddlewareResult, middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import { headersFor, runGuards } from '../builder/guard-middleware.js';
import { resolveLimitStep } from '../builder/guard-steps.js';
import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import type { HeadersTarget } from '../rate-limit/headers.js';
import type { RateLimitedOptions } from '../rate-limit/options.js';
import { assertOperationPath, type ScopeNames } from './once.js';
import type { GuardRuntime } from './runtime.js';

/** Options of `guard.limit()`: `.rateLimited()`'s, and the call's context. */
export interface LimitOptions<TContext> extends RateLimitedOptions<TContext> {
  /** The caller's context: what the scopes' `identify` (and `limiter` functions) read. */
  ctx: TContext;
  /**
   * Names the operation, as a procedure's path: events carry it, and a `limiter` of this call
   * without a `bucket` counts in a bucket named by it.
   * @default 'limit'
   */
  path?: string;
  /**
   * Where `RateLimit` and `Retry-After` go.
   * @default the guard's `headers({ ctx })`
   */
  headers?: HeadersTarget;
}

const DEFAULT_PATH = 'limit';

const PASSED: MiddlewareResult<any> = { marker: middlewareMarker, ok: true, data: undefined } as never;

/**
 * @internal `guard.limit()`: the scopes go through the same engine as `.rateLimited()`
 * (`runGuards`, one store round trip), with nothing behind them.
 */
export async function runLimit(
  runtime: GuardRuntime,
  scope: ScopeNames<string>,
  options: LimitOptions<unknown>,
): Promise<void> {
  if (typeof options !== 'object' || options === null || !('ctx' in options)) {
    throw new GuardrailsConfigError(
      `guard.limit(scope, { ctx }) needs the caller's context as { ctx }, got ${describe(options)}`,
    );
  }
  const { ctx, path = DEFAULT_PATH, headers, ...limitOptions } = options;
  assertOperationPath(path, 'guard.limit');
  const step = resolveLimitStep(runtime, scope, limitOptions, 'guard.limit');
  await runGuards(
    runtime,
    { limits: [step], idempotent: undefined },
    {
      ctx,
      path,
      type: 'mutation',
      getRawInput: async () => undefined,
      next: async () => PASSED,
      headers: headers ?? headersFor(runtime, ctx),
    },
  );
}
