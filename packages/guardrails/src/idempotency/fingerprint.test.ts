import fc from 'fast-check';
import superjson, { SuperJSON } from 'superjson';
import { describe, expect, it } from 'vitest';
import { sha256Hex, sha256HexPortable } from '../guard/sha256.js';
import { canonicalize, FingerprintError, type FingerprintProblem, fingerprintInput } from './fingerprint.js';

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

/** Values superjson carries; typed arrays only when `withTypedArray` (their Infinity does not survive). */
const values = (withTypedArray: boolean) =>
  fc.anything({
    // superjson drops these keys on purpose (prototype pollution), so a round trip would change them.
    key: fc.string().filter((key) => !['__proto__', 'constructor', 'prototype'].includes(key)),
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: false,
    withTypedArray,
    withSparseArray: false,
    withObjectString: true,
  });
const inputs = values(true);

function problemOf(run: () => unknown): FingerprintProblem | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof FingerprintError) return error.problem;
    throw error;
  }
}

/** A DAG of `depth` levels where every level refers twice to the next: 2^depth paths. */
function diamond(depth: number): unknown {
  let node: unknown = { leaf: 1 };
  for (let i = 0; i < depth; i++) node = { left: node, right: node };
  return node;
}

/** The same shape without sharing: every path its own copy. */
function tree(depth: number): unknown {
  if (depth === 0) return { leaf: 1 };
  return { left: tree(depth - 1), right: tree(depth - 1) };
}

describe('fingerprintInput', () => {
  it('gives the same fingerprint for the same input in any key order', () => {
    fc.assert(
      fc.property(inputs, fc.nat(20), (input, seed) => {
        expect(fingerprintInput(shuffleKeys(input, seed))).toBe(fingerprintInput(input));
      }),
    );
  });

  it('gives the same fingerprint after a superjson round trip, as the server sees a retry', () => {
    // Typed arrays stay out: superjson writes them as JSON numbers, so Infinity inside comes back as null.
    fc.assert(
      fc.property(values(false), (input) => {
        expect(fingerprintInput(superjson.parse(superjson.stringify(input)))).toBe(fingerprintInput(input));
      }),
    );
  });

  it('fingerprints an invalid Date as the null superjson carries it as, even as a Map key', () => {
    // Found by the round-trip property above (seed -1009452032): superjson tags only valid Dates.
    for (const input of [
      new Date(Number.NaN),
      new Map([[new Date(Number.NaN), '']]),
      { at: new Date('x') },
    ]) {
      expect(fingerprintInput(superjson.parse(superjson.stringify(input)))).toBe(fingerprintInput(input));
    }
    expect(canonicalize(new Date(Number.NaN))).toBe(canonicalize(null));
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
      [/a/g, /a/i],
      [{ 'a,b': 1 }, { a: 1, b: 1 }],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ];
    for (const [a, b] of pairs) expect(canonicalize(a), `${String(a)}`).not.toBe(canonicalize(b));
  });

  it('fingerprints every type superjson carries by its value, never by its keys alone', () => {
    const pairs: [unknown, unknown][] = [
      [new URL('https://a.example/x'), new URL('https://b.example/x')],
      [new Error('card declined'), new Error('card expired')],
      [new TypeError('x'), new RangeError('x')],
      [new Error('x', { cause: 'a' }), new Error('x', { cause: 'b' })],
      [new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])],
      [new Uint8Array([1, 2]), new Int8Array([1, 2])],
      [new Uint8Array([1, 2, 3]).subarray(1), new Uint8Array([1, 2])],
      [new Float64Array([0.5]), new Float64Array([0.25])],
      [{ file: new Uint8Array(0) }, { file: {} }],
    ];
    for (const [a, b] of pairs) {
      expect(fingerprintInput({ key: 'k', value: a }), String(a)).not.toBe(
        fingerprintInput({ key: 'k', value: b }),
      );
    }
    const error = new Error('same');
    error.stack = 'one stack';
    const twin = new Error('same');
    twin.stack = 'another stack';
    expect(fingerprintInput(error)).toBe(fingerprintInput(twin));
  });

  it('differs when any value differs', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer(), { minKeys: 1 }), (input) => {
        const key = Object.keys(input)[0]!;
        const changed = { ...input, [key]: input[key]! + 1 };
        expect(fingerprintInput(changed)).not.toBe(fingerprintInput(input));
      }),
    );
  });

  it('walks shared references once and fingerprints them like unshared copies', () => {
    expect(fingerprintInput(diamond(8))).toBe(fingerprintInput(tree(8)));
    // 2^200 paths: the walk must be linear in distinct objects, not in paths.
    const started = performance.now();
    const fingerprint = fingerprintInput(diamond(200), {
      budget: { maxDepth: 1000, maxValues: 10_000, maxBytes: 1e6 },
    });
    console.log(
      `fingerprint of a 200-level diamond DAG (2^200 paths): ${(performance.now() - started).toFixed(2)} ms`,
    );
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses circular inputs instead of looping or overflowing the stack', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(problemOf(() => canonicalize(loop))).toBe('unsupported');
    const viaSuperjson = superjson.parse<unknown>(superjson.stringify(loop));
    expect(problemOf(() => fingerprintInput(viaSuperjson))).toBe('unsupported');
  });

  it('refuses inputs over the depth, value and byte budgets, naming the limit', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5_000; i++) deep = [deep];
    expect(problemOf(() => fingerprintInput(deep))).toBe('too-deep');
    expect(() => fingerprintInput(deep)).toThrow(/deeper than 64 levels.*maxDepth/);
    expect(problemOf(() => fingerprintInput(Array.from({ length: 100_001 }, (_, i) => i)))).toBe('too-large');
    expect(() => fingerprintInput(new Array(100_001).fill(0))).toThrow(/more than 100000 values.*maxValues/);
    const budget = { maxDepth: 10, maxValues: 100, maxBytes: 10 };
    expect(problemOf(() => fingerprintInput('x'.repeat(11), { budget }))).toBe('too-large');
    expect(problemOf(() => fingerprintInput(new Uint8Array(11), { budget }))).toBe('too-large');
    expect(problemOf(() => fingerprintInput('x'.repeat(10), { budget }))).toBeUndefined();
  });

  it('refuses values with no faithful fingerprint, and unknown classes without a serializer', () => {
    class Money {
      #secret = Math.random();
      constructor(readonly cents: number) {}
      get secret() {
        return this.#secret;
      }
    }
    for (const value of [Symbol('s'), () => 1, new String('x'), new Money(5)]) {
      expect(
        problemOf(() => fingerprintInput({ value })),
        String(value),
      ).toBe('unsupported');
    }
    // Not registered: the transformer does not know the class either.
    expect(problemOf(() => fingerprintInput(new Money(5), { serialize: superjson.serialize }))).toBe(
      'unsupported',
    );
    const app = new SuperJSON();
    app.registerClass(Money, { identifier: 'Money' });
    const serialize = (value: object) => app.serialize(value);
    // What the transport carries decides: the private field does not travel, so it does not count.
    expect(fingerprintInput(new Money(5), { serialize })).toBe(fingerprintInput(new Money(5), { serialize }));
    expect(fingerprintInput(new Money(5), { serialize })).not.toBe(
      fingerprintInput(new Money(6), { serialize }),
    );
    expect(fingerprintInput(new Money(5), { serialize })).not.toBe(
      fingerprintInput({ cents: 5 }, { serialize }),
    );
  });
});

describe('sha256Hex', () => {
  it('is the same in JavaScript as in node:crypto', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(sha256HexPortable(text)).toBe(sha256Hex(text));
      }),
    );
    const bytes = new Uint8Array([0, 1, 2, 255]);
    expect(sha256HexPortable(bytes)).toBe(sha256Hex(bytes));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
