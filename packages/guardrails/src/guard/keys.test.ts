import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKeyPart, idempotencyRecordKey, rateLimitIdentifier } from './keys.js';

describe('store keys from user-controlled strings', () => {
  it('never produce a separator or brace, and stay bounded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (value) => {
        const part = encodeKeyPart(value);
        expect(part).not.toMatch(/[:{}\s]/);
        expect(part.length).toBeLessThanOrEqual(128 + 3);
      }),
    );
  });

  it('are injective: different identifiers never share a key', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
        fc.pre(a !== b);
        expect(rateLimitIdentifier(a)).not.toBe(rateLimitIdentifier(b));
      }),
    );
  });

  it('keep owner and key apart even when they contain separators', () => {
    const one = idempotencyRecordKey('p', { path: 'pay', owner: 'alice:x', key: 'y' });
    const two = idempotencyRecordKey('p', { path: 'pay', owner: 'alice', key: 'x:y' });
    expect(one).not.toBe(two);
    expect(one).toBe('p:idem:{pay:alice%3Ax:y}');
  });

  it('leave safe parts as they are and escape the rest the same way', () => {
    expect(encodeKeyPart('3f9c-AB_cd.e~f@g+h')).toBe('3f9c-AB_cd.e~f@g+h');
    expect(encodeKeyPart('a:b')).toBe('a%3Ab');
    expect(encodeKeyPart('é')).toBe('%C3%A9');
    expect(encodeKeyPart('')).toBe('');
  });

  it('hash long identifiers', () => {
    expect(encodeKeyPart('a'.repeat(500))).toMatch(/^#[0-9a-f]{64}$/);
  });
});
