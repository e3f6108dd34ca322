import type { AnyMiddlewareFunction, MiddlewareResult } from '@trpc/server/unstable-core-do-not-import';
import { emitEvent } from '../events.js';
import type { GuardRuntime } from '../guard/runtime.js';
import { withTimeout } from '../guard/with-timeout.js';
import { nextOptions, releaseQuietly, resolveClaim, unavailable } from '../idempotency/execute.js';
import { createIdempotencyContext } from '../idempotency/execution-state.js';
import { type ClaimPlan, planClaim } from '../idempotency/plan.js';
import { decideLimits } from '../rate-limit/decision.js';
import { type HeadersTarget, isHeadersTarget } from '../rate-limit/headers.js';
import { type PlannedLimit, planLimits } from '../rate-limit/plan.js';
import type { CheckResult } from '../stores/types.js';
import type { GuardStep, IdempotentStep, LimitStep } from './guard-steps.js';

/**
 * @internal One middleware for a run of consecutive guard calls: every applicable rate-limit
 * scope and the idempotency claim go to the store in a single `check`.
 */
export function createGuardMiddleware(
  runtime: GuardRuntime,
  steps: readonly GuardStep[],
): AnyMiddlewareFunction {
  const limitSteps = steps.filter((step): step is LimitStep => step.kind === 'limit');
  const idempotentStep = steps.find((step): step is IdempotentStep => step.kind === 'idempotent');

  return async function guardrailsMiddleware(opts) {
    const { ctx, path, type, next } = opts;
    const headers = headersFor(runtime, ctx);
    const planned = await planLimits(runtime, limitSteps, { ctx, path, type });
    const claim = idempotentStep ? await planClaim(runtime, idempotentStep, opts) : undefined;
    const plan = claim?.plan;
    if (planned.length === 0 && !plan) {
      if (claim?.error) throw claim.error;
      return next();
    }

    let checked: CheckResult;
    try {
      const timeoutMs = Math.min(
        ...planned.map((limit) => limit.scope.timeoutMs),
        plan?.settings.timeoutMs ?? Number.POSITIVE_INFINITY,
      );
      checked = await withTimeout(
        runtime.store.check({ limits: planned.map((limit) => limit.request), claim: plan?.claim }),
        timeoutMs,
        'check',
      );
    } catch (error) {
      return onCheckFailure(runtime, { planned, plan, error, path, next, keyError: claim?.error });
    }
    assertCheckShape(checked, planned.length, plan !== undefined);

    const intent = plan && { owner: plan.owner, key: plan.key };
    const limitError = decideLimits(runtime, planned, checked.limits, path, headers, intent);
    if (limitError) {
      if (plan && checked.claim?.status === 'acquired') await releaseQuietly({ runtime, plan });
      throw limitError;
    }
    if (claim?.error) throw claim.error;
    if (!plan) return next();
    return resolveClaim({ runtime, plan, headers, next }, checked.claim!);
  };
}

/** Applies `onStoreError`: any denying scope (or idempotency with `deny`) answers 503. */
async function onCheckFailure(
  runtime: GuardRuntime,
  failure: {
    planned: readonly PlannedLimit[];
    plan: ClaimPlan | undefined;
    error: unknown;
    path: string;
    next: (opts?: any) => Promise<MiddlewareResult<any>>;
    keyError: Error | undefined;
  },
): Promise<MiddlewareResult<any>> {
  const { planned, plan, error, path, next } = failure;
  const deny =
    planned.some((limit) => limit.scope.onStoreError === 'deny') || plan?.settings.onStoreError === 'deny';
  emitEvent(runtime.onEvent, {
    type: 'store-error',
    path,
    operation: 'check',
    policy: deny ? 'deny' : 'allow',
    error,
    owner: plan?.owner,
    key: plan?.key,
    scopes: planned.map((limit) => limit.scope.name),
  });
  // The claim may have landed before the failure (a timeout); give it back in the background.
  if (plan) void releaseQuietly({ runtime, plan });
  if (deny) throw unavailable(error);
  if (failure.keyError) throw failure.keyError;
  if (!plan) return next();
  return next(nextOptions(plan, createIdempotencyContext(plan.key, 0).context));
}

function headersFor(runtime: GuardRuntime, ctx: unknown): HeadersTarget | undefined {
  if (!runtime.headers) return undefined;
  const target = runtime.headers({ ctx });
  return isHeadersTarget(target) ? target : undefined;
}

function assertCheckShape(checked: CheckResult, limits: number, claim: boolean): void {
  if (
    !checked ||
    !Array.isArray(checked.limits) ||
    checked.limits.length !== limits ||
    (claim && !checked.claim)
  ) {
    throw new Error(
      `[trpc-guardrails] the store's check() answered ${JSON.stringify(checked)?.slice(0, 200)}; expected ${limits} limit results${claim ? ' and a claim result' : ''}`,
    );
  }
}
