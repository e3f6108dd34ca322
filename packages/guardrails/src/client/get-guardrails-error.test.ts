import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { getGuardrailsError, isIdempotencyError, isRateLimitError } from './get-guardrails-error.js';

const clientError = (data: unknown) =>
  new TRPCClientError<any>('rejected', {
    result: { error: { message: 'rejected', code: -32000, data } } as never,
  });

const rateLimit = {
  kind: 'rate-limit',
  scope: 'ip',
  limit: 3,
  remaining: 0,
  reset: 1_700_000_000_000,
  retryAfter: 7,
};

describe('getGuardrailsError', () => {
  it('returns the typed data of rate-limit and idempotency rejections', () => {
    expect(getGuardrailsError(clientError({ guardrails: rateLimit }))).toEqual(rateLimit);
    expect(isRateLimitError(clientError({ guardrails: rateLimit }))).toBe(true);
    const inProgress = { kind: 'idempotency', reason: 'in-progress', retryAfter: 2 };
    expect(getGuardrailsError(clientError({ guardrails: inProgress }))).toEqual(inProgress);
    expect(isIdempotencyError(clientError({ guardrails: inProgress }))).toBe(true);
    expect(
      getGuardrailsError({ data: { guardrails: { kind: 'idempotency', reason: 'missing-key' } } }),
    ).toEqual({
      kind: 'idempotency',
      reason: 'missing-key',
    });
  });

  it('is undefined for anything else, including malformed data', () => {
    for (const error of [
      undefined,
      null,
      'boom',
      new Error('boom'),
      new TRPCClientError('fetch failed'),
      clientError({ code: 'BAD_REQUEST', httpStatus: 400 }),
      clientError({ guardrails: undefined }),
      clientError({ guardrails: { ...rateLimit, retryAfter: '7' } }),
      clientError({ guardrails: { ...rateLimit, scope: undefined } }),
      clientError({ guardrails: { kind: 'idempotency', reason: 'nope' } }),
      clientError({ guardrails: { kind: 'idempotency', reason: 'in-progress', retryAfter: Number.NaN } }),
      clientError({ guardrails: { kind: 'other' } }),
    ]) {
      expect(getGuardrailsError(error)).toBeUndefined();
      expect(isRateLimitError(error) || isIdempotencyError(error)).toBe(false);
    }
  });
});
