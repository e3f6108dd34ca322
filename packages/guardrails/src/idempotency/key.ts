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

/** Throws the `BAD_REQUEST` for a missing or invalid key. */
export function assertIdempotencyKey(key: unknown): asserts key is string {
  const problem = checkIdempotencyKey(key);
  if (problem)
    throw rejection('BAD_REQUEST', problem.message, { kind: 'idempotency', reason: problem.reason });
}
