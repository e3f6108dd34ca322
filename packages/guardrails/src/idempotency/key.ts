import type { TRPCError } from '@trpc/server';
import { describe } from '../duration.js';
import { type IdempotencyErrorReason, rejection } from '../errors.js';

export const MAX_KEY_LENGTH = 255;
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

/** `undefined` when `key` is a valid idempotency key, else why not. */
export function checkIdempotencyKey(
  key: unknown,
): { reason: IdempotencyErrorReason; message: string } | undefined {
  if (key === undefined || key === null || key === '') {
    return {
      reason: 'missing-key',
      message:
        'Idempotency key missing: send `idempotencyKey` (1–255 printable ASCII characters, one per user intent, e.g. from createIdempotencyKey())',
    };
  }
  if (typeof key !== 'string') {
    return { reason: 'invalid-key', message: `Idempotency key must be a string, got ${describe(key)}` };
  }
  if (key.length > MAX_KEY_LENGTH) {
    return {
      reason: 'invalid-key',
      message: `Idempotency key is ${key.length} characters long; use at most ${MAX_KEY_LENGTH}`,
    };
  }
  if (!PRINTABLE_ASCII.test(key)) {
    return {
      reason: 'invalid-key',
      message: 'Idempotency key must be printable ASCII (space to ~); a UUID or createIdempotencyKey() fits',
    };
  }
  return undefined;
}

/** The `BAD_REQUEST` for a missing or invalid key, or `undefined` for a valid one. */
export function idempotencyKeyError(key: unknown): TRPCError | undefined {
  const problem = checkIdempotencyKey(key);
  return problem
    ? rejection('BAD_REQUEST', problem.message, { kind: 'idempotency', reason: problem.reason })
    : undefined;
}
