import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIdempotencyKey, MAX_KEY_LENGTH } from './key.js';

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
});

describe('checkIdempotencyKey', () => {
  it('accepts every string of 1–255 printable ASCII characters', () => {
    fc.assert(
      fc.property(
        printable.filter((s) => s.length >= 1 && s.length <= MAX_KEY_LENGTH),
        (key) => {
          expect(checkIdempotencyKey(key)).toBeUndefined();
        },
      ),
    );
  });

  it('rejects any key holding a character outside printable ASCII', () => {
    fc.assert(
      fc.property(
        printable,
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        printable,
        (a, bad, b) => {
          fc.pre(!/^[\x20-\x7E]$/.test(bad));
          expect(checkIdempotencyKey(`${a}${bad}${b}`.slice(0, MAX_KEY_LENGTH))?.reason).toBe('invalid-key');
        },
      ),
    );
  });

  it('rejects keys over 255 characters, non-strings, and says what is missing', () => {
    expect(checkIdempotencyKey('k'.repeat(256))?.reason).toBe('invalid-key');
    expect(checkIdempotencyKey(42)?.message).toMatch(/must be a string, got number 42/);
    for (const missing of [undefined, null, ''])
      expect(checkIdempotencyKey(missing)?.reason).toBe('missing-key');
  });
});
