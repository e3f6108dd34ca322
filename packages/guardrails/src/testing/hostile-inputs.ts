import fc from 'fast-check';

/** A superjson request envelope: `{ json, meta }` as tRPC's transformer reads it. */
export interface Envelope {
  json: unknown;
  meta?: unknown;
}

const charge = (extra: Record<string, unknown> = {}) => ({
  idempotencyKey: 'k-fuzz',
  customerId: 'c1',
  amountCents: 500,
  ...extra,
});

/**
 * `levels` objects, each referring `width` times to the next through superjson's
 * `referentialEqualities`: under 1 KB on the wire, width^levels paths once deserialized.
 */
export function diamondEnvelope(levels: number, width = 2): Envelope {
  const names = 'abcdefgh'.slice(0, width).split('');
  let node: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < levels; i++)
    node = Object.fromEntries(names.map((name, n) => [name, n === 0 ? node : null]));
  const equalities: Record<string, string[]> = {};
  for (let i = 0; i < levels; i++) {
    const at = ['x', ...Array<string>(i).fill('a')].join('.');
    equalities[`${at}.a`] = names.slice(1).map((name) => `${at}.${name}`);
  }
  return { json: charge({ x: node }), meta: { referentialEqualities: equalities } };
}

/** An object that contains itself once deserialized. */
export function circularEnvelope(): Envelope {
  return { json: charge({ x: { self: null } }), meta: { referentialEqualities: { x: ['x.self'] } } };
}

/** `depth` nested arrays, as JSON text: deep enough to overflow a recursive walk. */
export function deepBody(depth: number): string {
  return `{"json":${JSON.stringify(charge()).slice(0, -1)},"x":${'['.repeat(depth)}1${']'.repeat(depth)}}}`;
}

/** Paths in the shape superjson writes them (`a.b.0`), including ones that point nowhere. */
const metaPath = fc
  .array(
    fc.oneof(
      fc.constantFrom('x', 'l', 'r', 'idempotencyKey', '__proto__', 'constructor', '0', ''),
      fc.string({ maxLength: 6 }),
    ),
    {
      maxLength: 6,
    },
  )
  .map((parts) => parts.join('.'));

const metaValue = fc.oneof(
  fc.constantFrom('undefined', 'bigint', 'Date', 'regexp', 'set', 'map', 'number', 'URL', 'Error'),
  fc.tuple(fc.constantFrom('class', 'symbol', 'custom', 'typed-array'), fc.string({ maxLength: 8 })),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Idempotency keys a client should never send. */
const badKey = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant('x'.repeat(10_000)),
);

/**
 * Request bodies a hostile client sends to an idempotent procedure: tampered superjson meta,
 * bad keys, deep nesting, shared and circular references (as parsed JSON, ready to stringify).
 */
export function hostileInputs(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.record({
      json: fc.jsonValue({ maxDepth: 4 }),
      meta: fc.record({ values: fc.dictionary(metaPath, metaValue) }),
    }),
    fc.record({
      json: fc.jsonValue({ maxDepth: 3 }).map((value) => charge({ x: value })),
      meta: fc.record({
        values: fc.dictionary(metaPath, metaValue, { maxKeys: 4 }),
        referentialEqualities: fc.dictionary(metaPath, fc.array(metaPath, { maxLength: 4 }), { maxKeys: 4 }),
      }),
    }),
    badKey.map((key) => ({ json: charge({ idempotencyKey: key }) })),
    fc
      .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 2, max: 6 }))
      .map(([levels, width]) => diamondEnvelope(levels, width)),
    fc.constant(circularEnvelope()),
    fc.integer({ min: 50, max: 5_000 }).map((depth) => JSON.parse(deepBody(Math.min(depth, 900))) as unknown),
    fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json: charge({ amountCents: json }) })),
  );
}
