import type { ProcedureType } from '@trpc/server';
import type { AnyMiddlewareFunction, MiddlewareResult } from '@trpc/server/unstable-core-do-not-import';
import { emitEvent } from '../events.js';
import type { GuardRuntime } from '../guard/runtime.js';
import { sendCheck } from '../guard/send-check.js';
import { type NextFn, runInBackground } from '../idempotency/call.js';
import { createIdempotencyContext } from '../idempotency/execution-state.js';
import { nextOptions } from '../idempotency/owner.js';
import { type ClaimPlan, finishFingerprint, planClaim } from '../idempotency/plan.js';
import { unavailable } from '../idempotency/rejections.js';
import { releaseQuietly } from '../idempotency/release.js';
import { resolveClaim } from '../idempotency/resolve-claim.js';
import { runUnguarded, type UnguardedCall } from '../idempotency/unguarded.js';
import { decideLimits } from '../rate-limit/decision.js';
import { type HeadersTarget, isHeadersTarget } from '../rate-limit/headers.js';
import { type PlannedLimit, planLimits } from '../rate-limit/plan.js';
import type { CheckResult, ClaimResult, LimitRequest, LimitResult } from '../stores/types.js';
import type { GuardStep, IdempotentStep, LimitStep } from './guard-steps.js';

/** @internal The guard calls that run together: the limits, then at most one claim. */
export interface GuardGroup {
  limits: readonly LimitStep[];
  idempotent: IdempotentStep | undefined;
}

/**
 * @internal One call through a {@link GuardGroup}: what tRPC hands the middleware, or what
 * `guard.once()` and `guard.limit()` make of their arguments.
 */
export interface GuardedCall {
  ctx: unknown;
  path: string;
  type: ProcedureType;
  getRawInput: () => Promise<unknown>;
  /** What the guards protect: the rest of the procedure chain, or the executor's work. */
  next: NextFn;
  /** Where `RateLimit`, `Retry-After` and `Idempotent-Replayed` go for this call. */
  headers: HeadersTarget | undefined;
  /** The index of this call in a batched HTTP request (what `fromHeader` checks batches with). */
  batchIndex?: number;
}

/** @internal Groups a run of consecutive guard calls for {@link runGuards}. */
export function groupSteps(steps: readonly GuardStep[]): GuardGroup {
  return {
    limits: steps.filter((step): step is LimitStep => step.kind === 'limit'),
    idempotent: steps.find((step): step is IdempotentStep => step.kind === 'idempotent'),
  };
}

/**
 * @internal One middleware for a run of consecutive guard calls: every applicable rate-limit
 * scope and the idempotency claim go to the store in a single `check`.
 */
export function createGuardMiddleware(
  runtime: GuardRuntime,
  steps: readonly GuardStep[],
): AnyMiddlewareFunction {
  const group = groupSteps(steps);
  return function guardrailsMiddleware(opts) {
    const { ctx, path, type, getRawInput, next, batchIndex } = opts;
    const headers = headersFor(runtime, ctx);
    return runGuards(runtime, group, { ctx, path, type, getRawInput, next, headers, batchIndex });
  };
}

/**
 * @internal The engine of every guarded call — a tRPC procedure's middleware, `guard.once()` and
 * `guard.limit()` alike: plans the limits and the claim, sends them in one `check`, applies the
 * verdicts and `onStoreError`, and hands the claim to `resolveClaim` (run as the owner, wait,
 * replay or refuse). `call.next` is what runs when the guards let the call through.
 */
export async function runGuards(
  runtime: GuardRuntime,
  group: GuardGroup,
  call: GuardedCall,
): Promise<MiddlewareResult<any>> {
  const { ctx, path, type, next, headers } = call;
  const { limits: limitSteps, idempotent: idempotentStep } = group;
  const planned = planLimits(runtime, limitSteps, { ctx, path, type });
  const known = refusedLocally(runtime, planned);
  if (known)
    throw decideLimits(runtime, known.planned, known.results, path, headers, undefined, Date.now(), true)!;
  const planning = idempotentStep ? await planClaim(runtime, idempotentStep, call) : undefined;
  const plan = planning?.plan;
  const unguarded = planning?.unguarded;
  if (planned.length === 0 && !plan) {
    if (planning?.error) throw planning.error;
    return unguarded ? runUnguarded(runtime, unguarded, next) : await next();
  }
  if (plan && runtime.outcomes.closing) {
    throw unavailable(undefined, 'The server is shutting down; retry shortly');
  }
  if (plan?.deferred && planned.length === 0) {
    // No limit to wait for: fingerprint the big input now.
    const error = await finishFingerprint(plan);
    if (error) throw error;
  }

  // An input too big to fingerprint before the limits: they decide first, the claim follows.
  const claimNow = plan && !plan.deferred ? plan.claim : undefined;
  if (plan && claimNow && planned.length === 0 && runtime.replayCache) {
    const cached = runtime.replayCache.lookup(claimNow.key, claimNow.fingerprint);
    if (cached) {
      const claim =
        cached.kind === 'replay'
          ? ({ status: 'completed', outcome: cached.outcome } as const)
          : ({ status: 'mismatch' } as const);
      return resolveClaim({ runtime, plan, headers, ctx, next }, claim, Date.now());
    }
  }
  const sentAt = Date.now();
  let timeoutMs = plan?.settings.timeoutMs ?? Number.POSITIVE_INFINITY;
  const limits: LimitRequest[] = [];
  for (const limit of planned) {
    limits.push(limit.request);
    if (limit.scope.timeoutMs < timeoutMs) timeoutMs = limit.scope.timeoutMs;
  }
  let checked: CheckResult;
  try {
    checked = await sendCheck(runtime, { limits, claim: claimNow }, timeoutMs);
  } catch (error) {
    return onCheckFailure(runtime, {
      planned,
      plan,
      claimSent: !!claimNow,
      error,
      path,
      ctx,
      next,
      keyError: planning?.error,
      unguarded,
    });
  }
  let claimedAt = Date.now();
  assertCheckShape(checked, planned.length, claimNow !== undefined);
  if (plan && checked.claim) rememberCompleted(runtime, plan, checked.claim, sentAt);

  const intent = plan && { owner: plan.owner, key: plan.key };
  const limitError = decideLimits(runtime, planned, checked.limits, path, headers, intent);
  if (limitError) {
    rememberDenials(runtime, planned, checked.limits);
    // Only a cluster store claims in one slot while another refuses; the caller need not wait
    // for the release, and a retry meets the same refusal first.
    if (plan && checked.claim?.status === 'acquired')
      runInBackground({ runtime, ctx }, releaseQuietly({ runtime, plan }));
    throw limitError;
  }
  if (planning?.error) throw planning.error;
  // The rest of the chain for a call with no claim: plain, or unguarded (no key, `required: false`).
  if (!plan) return unguarded ? runUnguarded(runtime, unguarded, next) : await next();

  if (!claimNow) {
    const error = await finishFingerprint(plan);
    if (error) throw error;
    const claimSentAt = Date.now();
    try {
      checked = await sendCheck(runtime, { limits: [], claim: plan.claim }, plan.settings.timeoutMs);
    } catch (error) {
      return onCheckFailure(runtime, {
        planned: [],
        plan,
        claimSent: true,
        error,
        path,
        ctx,
        next,
        keyError: undefined,
        unguarded: undefined,
      });
    }
    claimedAt = Date.now();
    assertCheckShape(checked, 0, true);
    rememberCompleted(runtime, plan, checked.claim!, claimSentAt);
  }
  return resolveClaim({ runtime, plan, headers, ctx, next }, checked.claim!, claimedAt);
}

/**
 * The scopes with `denialCache` that refused this caller recently, answered again without the
 * store: the call is refused whatever the other scopes would say, and a refused call takes
 * nothing anywhere.
 */
function refusedLocally(runtime: GuardRuntime, planned: readonly PlannedLimit[]) {
  let known: { planned: PlannedLimit[]; results: LimitResult[] } | undefined;
  const now = Date.now();
  for (const limit of planned) {
    if (!limit.scope.denialCache) continue;
    const result = runtime.denials.lookup(limit.request, now);
    if (!result) continue;
    known ??= { planned: [], results: [] };
    known.planned.push(limit);
    known.results.push(result);
  }
  return known;
}

function rememberDenials(
  runtime: GuardRuntime,
  planned: readonly PlannedLimit[],
  results: readonly LimitResult[],
): void {
  const now = Date.now();
  planned.forEach((limit, index) => {
    if (limit.scope.denialCache) runtime.denials.remember(limit.request, results[index]!, now);
  });
}

/**
 * A finished record read from the store goes to the replay cache, until the record's expiry as the
 * store reported it — counted from when the check was sent, so never later than the store's.
 */
function rememberCompleted(runtime: GuardRuntime, plan: ClaimPlan, claim: ClaimResult, sentAt: number): void {
  if (!runtime.replayCache || claim.status !== 'completed' || claim.expiresInMs === undefined) return;
  runtime.replayCache.remember(
    plan.claim.key,
    plan.claim.fingerprint,
    claim.outcome,
    sentAt + claim.expiresInMs,
  );
}

/** Applies `onStoreError`: any denying scope (or idempotency with `deny`) answers 503. */
async function onCheckFailure(
  runtime: GuardRuntime,
  failure: {
    planned: readonly PlannedLimit[];
    plan: ClaimPlan | undefined;
    claimSent: boolean;
    error: unknown;
    path: string;
    ctx: unknown;
    next: NextFn;
    keyError: Error | undefined;
    unguarded: UnguardedCall | undefined;
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
  // A claim that landed before its deadline but answered too late is given back; one that
  // lands after its deadline changes nothing.
  if (plan && failure.claimSent)
    runInBackground({ runtime, ctx: failure.ctx }, releaseQuietly({ runtime, plan }));
  if (deny) throw unavailable(error);
  if (failure.keyError) throw failure.keyError;
  if (!plan) return failure.unguarded ? runUnguarded(runtime, failure.unguarded, next) : next();
  return next(nextOptions(plan, createIdempotencyContext(plan.key, 0).context));
}

/** @internal Where the guard's `headers` option says this context's response headers go. */
export function headersFor(runtime: GuardRuntime, ctx: unknown): HeadersTarget | undefined {
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
