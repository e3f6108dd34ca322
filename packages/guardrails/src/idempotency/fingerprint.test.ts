import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, fingerprintInput } from './fingerprint.js';

/** Rebuilds every object, Map and Set of a value with its entries in another order. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, seed));
  if (value instanceof Map) return new Map([...value].reverse().map(([k, v]) => [k, shuffleKeys(v, seed)]));
  if (value instanceof Set) return new Set([...value].reverse());
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  const keys = Object.keys(value);
  const rotated = keys.map((_, i) => keys[(i + seed) % keys.length]!).reverse();
  return Object.fromEntries(
    rotated.map((key) => [key, shuffleKeys((value as Record<string, unknown>)[key], seed)]),
  );
}

const inputs = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: false,
  withTypedArray: false,
  withSparseArray: false,
  withObjectString: true,
});

describe('fingerprintInput', () => {
  it('gives the same fingerprint for the same input in any key order', async () => {
    await fc.assert(
      fc.asyncProperty(inputs, fc.nat(20), async (input, seed) => {
        expect(await fingerprintInput(shuffleKeys(input, seed))).toBe(await fingerprintInput(input));
      }),
    );
  });

  it('tells apart values that JSON would conflate', () => {
    const pairs: [unknown, unknown][] = [
      [1, '1'],
      [1n, 1],
      [new Date(0), new Date(0).toISOString()],
      [undefined, null],
      [{ a: undefined }, {}],
      [[1, 2], new Set([1, 2])],
      [new Map([['a', 1]]), { a: 1 }],
      [0, -0],
      [/a/g, '/a/g'],
      [{ 'a,b': 1 }, { a: 1, b: 1 }],
    ];
    for (const [a, b] of pairs) expect(canonicalize(a), `${String(a)}`).not.toBe(canonicalize(b));
  });

  it('differs when any value differs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.integer(), { minKeys: 1 }), async (input) => {
        const key = Object.keys(input)[0]!;
        const changed = { ...input, [key]: input[key]! + 1 };
        expect(await fingerprintInput(changed)).not.toBe(await fingerprintInput(input));
      }),
    );
  });

  it('refuses circular inputs instead of looping', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalize(loop)).toThrow(/circular/);
  });
});
