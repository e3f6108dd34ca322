import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIdempotencyKey } from '../idempotency/key.js';
import { createIdempotencyKey, randomUuidV4 } from './create-idempotency-key.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createIdempotencyKey', () => {
  it('always passes the server key rule, and never repeats', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (count) => {
        for (let i = 0; i < count; i++) {
          const key = createIdempotencyKey();
          expect(checkIdempotencyKey(key)).toBeUndefined();
          expect(key).toMatch(UUID_V4);
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
      }),
    );
    expect(seen.size).toBeGreaterThan(100);
  });

  it('falls back to getRandomValues: a valid UUID v4 for any random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const key = randomUuidV4({
          getRandomValues: <T extends Uint8Array>(array: T) => {
            array.set(bytes);
            return array;
          },
        });
        expect(key).toMatch(UUID_V4);
        expect(checkIdempotencyKey(key)).toBeUndefined();
      }),
    );
  });

  it('gives distinct keys from the fallback with real randomness', () => {
    const keys = new Set(
      Array.from({ length: 5_000 }, () =>
        randomUuidV4({
          getRandomValues: (array) =>
            crypto.getRandomValues(array as Uint8Array<ArrayBuffer>) as typeof array,
        }),
      ),
    );
    expect(keys.size).toBe(5_000);
  });

  it('says what to do without Web Crypto', () => {
    expect(() => randomUuidV4(undefined)).toThrow(
      /^\[trpc-guardrails\] createIdempotencyKey\(\) needs Web Crypto/,
    );
  });
});
