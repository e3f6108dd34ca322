import fc from 'fast-check';
import superjson, { SuperJSON } from 'superjson';
import { describe, expect, it } from 'vitest';
import { superjsonFastDecoder, superjsonFastEncoder } from './superjson-fast-path.js';

const encode = superjsonFastEncoder(superjson)!;
const slow = (value: unknown) => JSON.stringify(superjson.serialize(value));

/** Keys superjson has to escape or order specially: dots, backslashes, integer-like names. */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('a.b', 'a\\b', 'a\\.b', '.', '\\', '0', '1', '10', '01', '-1', '__proto__', 'constructor'),
);

const date = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }),
  // A fresh instance each time: one Date reached twice is a shared reference.
  fc.constant(0).map((ms) => new Date(ms)),
);

/** The values the fast path handles: plain JSON and valid dates. */
const { tree: inDomain } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.integer(),
    date,
    fc.array(tie('tree'), { maxLength: 5 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
  ),
}));

/** Everything else superjson carries, mixed in: the fast path must step aside for each. */
const { tree: anyValue } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    inDomain,
    fc.constantFrom(undefined, -0, Number.NaN, Number.POSITIVE_INFINITY, new Date(Number.NaN)),
    fc.bigInt(),
    fc.array(tie('tree'), { maxLength: 4 }).map((items) => new Set(items)),
    fc.array(fc.tuple(fc.string(), tie('tree')), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.constant(/x+/g),
    fc.constant(new Error('boom')),
    fc.constant(new URL('https://example.com/a')),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
  ),
}));

function superjsonOrThrow(value: unknown): string | Error {
  try {
    return slow(value);
  } catch (error) {
    return error as Error;
  }
}

describe('superjson fast path', () => {
  it('writes exactly what superjson writes, for every value it takes', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const fast = encode(value);
        if (fast !== undefined) expect(fast).toBe(slow(value));
      }),
      { numRuns: 3_000 },
    );
  });

  it('takes every plain-JSON-and-Date value superjson writes without error', () => {
    let taken = 0;
    fc.assert(
      fc.property(inDomain, (value) => {
        const expected = superjsonOrThrow(value);
        const fast = encode(value);
        if (expected instanceof Error) {
          // superjson refuses `__proto__` / `constructor` keys: the fast path leaves it to say so.
          expect(fast).toBeUndefined();
          return;
        }
        taken++;
        expect(fast).toBe(expected);
      }),
      { numRuns: 3_000 },
    );
    expect(taken).toBeGreaterThan(2_000);
  });

  it('orders annotations as superjson does when integer-like keys hold dates', () => {
    const at = new Date(0);
    const cases = [
      [{ x: new Date(1) }, at],
      { b: at, 1: new Date(2), a: { 0: new Date(3), z: new Date(4) } },
      { 'a.b': [{ 'c\\d': new Date(5) }], 2: [new Date(6)] },
    ];
    for (const value of cases) expect(encode(value)).toBe(slow(value));
  });

  it('steps aside for shared references, cycles, classes, sparse arrays and arrays with properties', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const withProperty = Object.assign([1, 2], { extra: true });
    const sameDate = new Date(0);
    const sparse: number[] = [1];
    sparse[2] = 3;
    for (const value of [
      { a: shared, b: shared },
      cyclic,
      { d: sameDate, e: sameDate },
      new (class Point {
        x = 1;
      })(),
      sparse,
      withProperty,
    ]) {
      expect(encode(value)).toBeUndefined();
    }
  });

  it('steps aside while the instance has custom transformers or a built-in registered as a class', () => {
    const custom = new SuperJSON();
    const encodeCustom = superjsonFastEncoder(custom)!;
    expect(encodeCustom({ n: 1 })).toBe('{"json":{"n":1}}');
    custom.registerCustom<string, string>(
      { isApplicable: (v): v is string => typeof v === 'string', serialize: (v) => v, deserialize: (v) => v },
      'str',
    );
    expect(encodeCustom({ n: 'x' })).toBeUndefined();

    const classes = new SuperJSON();
    const encodeClasses = superjsonFastEncoder(classes)!;
    expect(encodeClasses({ at: new Date(0) })).toBeDefined();
    classes.registerClass(Date, { identifier: 'MyDate' });
    expect(encodeClasses({ at: new Date(0) })).toBeUndefined();
  });

  it('is not offered for a transformer that is not this superjson', () => {
    expect(
      superjsonFastEncoder({ serialize: (v: unknown) => v, deserialize: (v: unknown) => v }),
    ).toBeUndefined();
    expect(
      superjsonFastDecoder({ serialize: (v: unknown) => v, deserialize: (v: unknown) => v }),
    ).toBeUndefined();
  });

  it('reads back what superjson reads back', () => {
    const decode = superjsonFastDecoder(superjson)!;
    fc.assert(
      fc.property(anyValue, (value) => {
        const payload = superjsonOrThrow(value);
        if (payload instanceof Error) return;
        expect(decode(payload)).toEqual(superjson.deserialize(JSON.parse(payload)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives every read a result of its own: changing one replay never shows in the next', () => {
    const decode = superjsonFastDecoder(superjson)!;
    const payload = superjson.stringify({ at: new Date(0), items: [{ n: 1 }], tags: new Set(['a']) });
    const first = decode(payload) as { at: Date; items: { n: number }[]; tags: Set<string> };
    first.at.setTime(5);
    first.items[0]!.n = 2;
    first.tags.add('b');
    expect(decode(payload)).toEqual({ at: new Date(0), items: [{ n: 1 }], tags: new Set(['a']) });
  });
});
