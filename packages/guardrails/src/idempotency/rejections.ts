import { TRPCError } from '@trpc/server';
import { rejection } from '../errors.js';
import { emitEvent } from '../events.js';
import { writeRetryAfter } from '../rate-limit/headers.js';
import { type IdempotentCall, whereOf } from './call.js';
import type { ClaimPlan } from './plan.js';

/** @internal The same key with another input: 422, and a `conflict` event. */
export function payloadMismatch(call: IdempotentCall): TRPCError {
  emitEvent(call.runtime.onEvent, { type: 'conflict', ...whereOf(call), reason: 'payload-mismatch' });
  return rejection(
    'UNPROCESSABLE_CONTENT',
    'This idempotency key was already used with a different input; use a new key for a new intent',
    { kind: 'idempotency', reason: 'payload-mismatch' },
  );
}

/** @internal Another attempt holds the key: 409 with `Retry-After`, and a `conflict` event. */
export function inProgress(call: IdempotentCall, leaseExpiresAt: number): TRPCError {
  const retryAfter = Math.max(1, Math.ceil((leaseExpiresAt - Date.now()) / 1000));
  if (call.headers) writeRetryAfter(call.headers, retryAfter);
  emitEvent(call.runtime.onEvent, { type: 'conflict', ...whereOf(call), reason: 'in-progress' });
  return rejection(
    'CONFLICT',
    `A request with this idempotency key is still in progress: retry in ${retryAfter} s`,
    {
      kind: 'idempotency',
      reason: 'in-progress',
      retryAfter,
    },
  );
}

/** @internal The store failed or timed out, or the guard is closing: 503, safe to retry. */
export function unavailable(
  cause: unknown,
  message = 'The guardrails store is unavailable; retry shortly',
): TRPCError {
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause });
}

/** @internal A `store-error` event of an idempotent call. */
export function storeError(
  plan: ClaimPlan,
  operation: 'check' | 'complete' | 'extend' | 'release',
  policy: 'deny' | 'allow' | 'retry',
  error: unknown,
) {
  return { type: 'store-error', ...whereOf({ plan }), operation, policy, error } as const;
}

/** @internal A `fenced` event: a newer attempt owns the record. */
export function fenced(plan: ClaimPlan, token: number, operation: 'extend' | 'complete') {
  return { type: 'fenced', ...whereOf({ plan }), token, operation } as const;
}
