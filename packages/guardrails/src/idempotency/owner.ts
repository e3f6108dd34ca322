import type { MiddlewareResult } from '@trpc/server/unstable-core-do-not-import';
import { emitEvent } from '../events.js';
import type { StoredOutcome } from '../stores/types.js';
import { type IdempotentCall, whereOf } from './call.js';
import { createIdempotencyContext } from './execution-state.js';
import { type Landing, landOutcome } from './land-outcome.js';
import { keepLease } from './lease.js';
import { encodeError, encodeResult, unreplayable } from './outcome.js';
import type { ClaimPlan } from './plan.js';
import { releaseQuietly } from './release.js';

/**
 * @internal What the owner's run ends in: the answer for the caller, or `fenced` — another
 * attempt took the record over while this one ran, so the caller should get that attempt's
 * outcome rather than a result the record will never hold.
 */
export type OwnerAnswer = { kind: 'answer'; result: MiddlewareResult<any> } | { kind: 'fenced' };

/**
 * @internal Runs the rest of the chain as the owner of the record, under its lease, then lands
 * what the handler did. A rejection before the handler (validation, auth) gives the key back.
 */
export async function runAsOwner(
  call: IdempotentCall,
  claim: { token: number; takeover: boolean },
  claimedAt: number,
): Promise<OwnerAnswer> {
  const { runtime, plan } = call;
  const { token, takeover } = claim;
  const pending = runtime.outcomes.start();
  const lease = keepLease(call, token, claimedAt);
  const { context, state } = createIdempotencyContext(plan.key, token);
  const startedAt = Date.now();
  let result: MiddlewareResult<any>;
  try {
    result = await call.next(nextOptions(plan, context));
  } catch (error) {
    lease.stop();
    pending.settle();
    throw error;
  }
  const finishedAt = Date.now();
  const outcome = state.handlerStarted ? outcomeOf(plan, result, finishedAt) : undefined;
  let landing: Landing | undefined;
  if (outcome) {
    landing = await landOutcome(call, {
      token,
      lease,
      outcome,
      handler: result.ok ? 'result' : 'error',
      finishedAt,
      pending,
    });
  } else {
    // Rejected before the handler, or an error `cacheError` keeps out: the key stays unused.
    lease.stop();
    await releaseQuietly(call);
    pending.settle();
  }
  if (state.handlerStarted && runtime.onEvent) {
    emitEvent(runtime.onEvent, {
      type: 'executed',
      ...whereOf(call),
      token,
      takeover,
      outcome: result.ok ? 'result' : 'error',
      stored: landing === 'stored',
      durationMs: finishedAt - startedAt,
    });
  }
  return landing === 'fenced' ? { kind: 'fenced' } : { kind: 'answer', result };
}

/** What to store for the handler's result; `undefined` for an error `cacheError` opts out. */
function outcomeOf(
  plan: ClaimPlan,
  result: MiddlewareResult<any>,
  finishedAt: number,
): StoredOutcome | undefined {
  if (!result.ok) return plan.settings.cacheError(result.error) ? encodeError(result.error) : undefined;
  try {
    return encodeResult(result.data, plan.transformer);
  } catch (error) {
    // Still recorded: a retry must not run the side effect again because the result had a cycle.
    console.error(
      `[trpc-guardrails] the result of "${plan.path}" could not be serialized; duplicates will be refused`,
      error,
    );
    return unreplayable('not-serializable', 0, finishedAt);
  }
}

/** @internal What the rest of the chain gets: `ctx.idempotency`, and the input without the key. */
export function nextOptions(plan: ClaimPlan, idempotency: unknown): Record<string, unknown> {
  const stripped = plan.strippedRawInput;
  return stripped
    ? { ctx: { idempotency }, getRawInput: async () => stripped.value }
    : { ctx: { idempotency } };
}
