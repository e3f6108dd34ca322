import { type MiddlewareResult, middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import { emitEvent } from '../events.js';
import { writeReplayed } from '../rate-limit/headers.js';
import type { ClaimResult, StoredOutcome } from '../stores/types.js';
import { type IdempotentCall, whereOf } from './call.js';
import { replayOutcome } from './outcome.js';
import { runAsOwner } from './owner.js';
import { inProgress, payloadMismatch, unavailable } from './rejections.js';
import { type ClaimAnswer, waitForSettled } from './wait.js';

/**
 * @internal The one place that acts on a claim answer: run as the owner, replay, refuse, or
 * wait — and act on what the wait brings (the outcome, or a lapsed lease this call took over). An
 * owner fenced while it ran waits like a duplicate, so every caller of an intent gets one answer.
 */
export async function resolveClaim(
  call: IdempotentCall,
  claim: ClaimResult,
  claimedAt: number,
): Promise<MiddlewareResult<any>> {
  let answer: ClaimAnswer = { claim, at: claimedAt };
  for (;;) {
    const current = answer.claim;
    switch (current.status) {
      case 'acquired': {
        const owned = await runAsOwner(call, current, answer.at);
        if (owned.kind === 'answer') return owned.result;
        // Fenced: another attempt owns the record; give this caller that attempt's outcome.
        answer = await waitForSettled(call, Date.now());
        if (answer.claim.status === 'in-progress') throw inProgress(call, answer.claim.leaseExpiresAt);
        break;
      }
      case 'completed':
        return replay(call, current.outcome);
      case 'mismatch':
        throw payloadMismatch(call);
      case 'in-progress':
        if (call.plan.settings.concurrent === 'reject') throw inProgress(call, current.leaseExpiresAt);
        answer = await waitForSettled(call, current.leaseExpiresAt);
        if (answer.claim.status === 'in-progress') throw inProgress(call, answer.claim.leaseExpiresAt);
        break;
      case 'expired':
        throw unavailable(undefined, 'The guardrails store answered too late; retry shortly');
      case 'skipped':
        throw new Error(
          '[trpc-guardrails] the store skipped a claim although no limit denied; this is a store bug',
        );
    }
  }
}

function replay(call: IdempotentCall, outcome: StoredOutcome): MiddlewareResult<any> {
  if (call.headers) writeReplayed(call.headers);
  // Built only for a listener: a replay is the hot path.
  if (call.runtime.onEvent)
    emitEvent(call.runtime.onEvent, { type: 'replayed', ...whereOf(call), outcome: outcome.kind });
  return {
    marker: middlewareMarker,
    ok: true,
    data: replayOutcome(outcome, call.plan.transformer, call.plan.path),
  } as MiddlewareResult<any>;
}
