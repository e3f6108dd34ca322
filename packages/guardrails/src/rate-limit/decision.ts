import type { TRPCError } from '@trpc/server';
import { rejection } from '../errors.js';
import { emitEvent } from '../events.js';
import type { GuardRuntime } from '../guard/runtime.js';
import type { LimitResult } from '../stores/types.js';
import { type HeadersTarget, writeRateLimitHeaders, writeRetryAfter } from './headers.js';
import type { PlannedLimit } from './plan.js';

/**
 * @internal Reads the store's verdicts: hands every planned scope's result to the header writer
 * (one `RateLimit` item per scope) and returns the `TOO_MANY_REQUESTS` error when any scope
 * denied (naming the one with the longest wait).
 */
export function decideLimits(
  runtime: GuardRuntime,
  planned: readonly PlannedLimit[],
  results: readonly LimitResult[],
  path: string,
  headers: HeadersTarget | undefined,
  intent?: { owner: string; key: string },
  now = Date.now(),
  fromDenialCache = false,
): TRPCError | undefined {
  if (planned.length === 0) return undefined;
  let denied: number | undefined;
  results.forEach((result, index) => {
    if (!result.success && (denied === undefined || result.reset > results[denied]!.reset)) denied = index;
  });
  if (headers) {
    writeRateLimitHeaders(
      headers,
      results.map((result, index) => ({
        scope: planned[index]!.policy,
        // The limiter that applied to this call, which may differ per caller.
        limiter: planned[index]!.limiter,
        success: result.success,
        ...pick(result),
      })),
      now,
    );
  }
  if (denied === undefined) return undefined;

  const result = results[denied]!;
  const retryAfter = Math.max(1, Math.ceil((result.reset - now) / 1000));
  if (headers) writeRetryAfter(headers, retryAfter, now);
  const { scope, identifier, bucket, policy } = planned[denied]!;
  const inBucket = bucket === undefined ? {} : { bucket };
  emitEvent(runtime.onEvent, {
    type: 'limited',
    path,
    scope: scope.name,
    ...inBucket,
    identifier,
    ...pick(result),
    retryAfter,
    ...intent,
    ...(fromDenialCache && { fromDenialCache: true }),
  });
  return rejection('TOO_MANY_REQUESTS', `Rate limit exceeded for "${policy}": retry in ${retryAfter} s`, {
    kind: 'rate-limit',
    scope: scope.name,
    ...inBucket,
    ...pick(result),
    retryAfter,
  });
}

function pick(result: LimitResult) {
  return { limit: result.limit, remaining: result.remaining, reset: result.reset };
}
