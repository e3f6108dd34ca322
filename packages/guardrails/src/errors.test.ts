import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { getGuardrailsErrorData, rejection } from './errors.js';

describe('rejection', () => {
  it('answers without capturing a stack, and leaves Error.stackTraceLimit as it was', () => {
    const before = Error.stackTraceLimit;
    const error = rejection('TOO_MANY_REQUESTS', 'Rate limit exceeded', {
      kind: 'rate-limit',
      scope: 'ip',
      limit: 1,
      remaining: 0,
      reset: 0,
      retryAfter: 1,
    });
    expect(Error.stackTraceLimit).toBe(before);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(getGuardrailsErrorData(error)).toMatchObject({ kind: 'rate-limit', scope: 'ip' });
    // The first line names the error; no frame follows it.
    expect(error.stack?.split('\n').filter((line) => line.trim().startsWith('at '))).toEqual([]);
    expect(new Error('ordinary').stack).toMatch(/\n\s+at /);
  });
});
