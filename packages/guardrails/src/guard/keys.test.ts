import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKeyPart, idempotencyRecordKey, rateLimitIdentifier } from './keys.js';

describe('store keys from user-controlled strings', () => {
  it('never produce a separator or brace, and stay bounded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), async (value) => {
        const part = await encodeKeyPart(value);
        expect(part).not.toMatch(/[:{}\s]/);
        expect(part.length).toBeLessThanOrEqual(128 + 3);
      }),
    );
  });

  it('are injective: different identifiers never share a key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), async (a, b) => {
        fc.pre(a !== b);
        expect(await rateLimitIdentifier(a)).not.toBe(await rateLimitIdentifier(b));
      }),
    );
  });

  it('keep owner and key apart even when they contain separators', async () => {
    const one = await idempotencyRecordKey('p', { path: 'pay', owner: 'alice:x', key: 'y' });
    const two = await idempotencyRecordKey('p', { path: 'pay', owner: 'alice', key: 'x:y' });
    expect(one).not.toBe(two);
    expect(one).toBe('p:idem:{pay:alice%3Ax:y}');
  });

  it('hash long identifiers', async () => {
    expect(await encodeKeyPart('a'.repeat(500))).toMatch(/^#[0-9a-f]{64}$/);
  });
});
