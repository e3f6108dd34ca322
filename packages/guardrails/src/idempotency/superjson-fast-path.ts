import SuperJSON from 'superjson';

/**
 * The common shape of a handler's result — plain objects, arrays, strings, booleans, `null`,
 * finite numbers and valid `Date`s — written as the exact text `JSON.stringify(superjson.serialize(value))`
 * gives, without superjson's generic walk (which tries every rule on every value): 2–4× faster for
 * `{ n, at: new Date() }`, whose remaining cost is `toISOString` and `JSON.stringify`.
 *
 * Anything else (undefined, -0, NaN, bigint, Map, Set, classes, a shared or circular reference,
 * a key superjson refuses) returns `undefined` and goes through superjson itself. So does every
 * value while the instance has custom transformers or has registered one of the built-in
 * constructors (`Object`, `Array`, `Date`, `String`, `Number`, `Boolean`) as a class: those rules
 * run before the built-in ones and could claim any value. A property test
 * (`superjson-fast-path.test.ts`) holds this file to superjson's own output.
 */
export function superjsonFastEncoder(
  transformer: unknown,
): ((value: unknown) => string | undefined) | undefined {
  const instance = superjsonInstance(transformer);
  if (!instance) return undefined;
  return (value) => {
    if (!builtInRulesOnly(instance)) return undefined;
    const walk = new FastWalk();
    const json = walk.value(value, 0);
    if (json === REFUSED) return undefined;
    const values = walk.annotations === DATE ? ['Date'] : walk.annotations;
    return JSON.stringify(values ? { json, meta: { values, v: 1 } } : { json });
  };
}

/**
 * A stored payload read back without superjson's deep copy of it (`inPlace`, as its own `parse`
 * does): `JSON.parse` made every object fresh, so each replay still gets a result of its own.
 * The copy was most of a large replay's cost.
 */
export function superjsonFastDecoder(transformer: unknown): ((payload: string) => unknown) | undefined {
  const instance = superjsonInstance(transformer);
  if (!instance) return undefined;
  return (payload) => instance.deserialize(JSON.parse(payload), { inPlace: true });
}

interface Internals {
  customTransformerRegistry?: { transfomers?: object };
  classRegistry?: { getIdentifier?(value: unknown): unknown; kv?: { valueToKey?: unknown } };
}

/** The superjson instance behind a transformer: an instance, or the class's default one. */
function superjsonInstance(transformer: unknown): SuperJSON | undefined {
  if (transformer === SuperJSON)
    return (SuperJSON as unknown as { defaultInstance: SuperJSON }).defaultInstance;
  if (!(transformer instanceof SuperJSON)) return undefined;
  const internals = transformer as unknown as Internals;
  // Another superjson build may keep its rules elsewhere: then it is not ours to shortcut.
  if (typeof internals.customTransformerRegistry?.transfomers !== 'object') return undefined;
  if (typeof internals.classRegistry?.getIdentifier !== 'function') return undefined;
  return transformer;
}

/** Checked on every call: transformers and classes may be registered at any time. */
function builtInRulesOnly(instance: SuperJSON): boolean {
  const { customTransformerRegistry, classRegistry } = instance as unknown as Required<Internals>;
  for (const _ in customTransformerRegistry.transfomers) return false;
  // No class registered at all: nothing to look up.
  const registered = classRegistry.kv?.valueToKey;
  if (registered instanceof Map && registered.size === 0) return true;
  // superjson asks its class registry about every value's constructor before the built-in rules.
  for (const type of BUILT_IN_CONSTRUCTORS) {
    if (classRegistry.getIdentifier!(type) !== undefined) return false;
  }
  return true;
}

const BUILT_IN_CONSTRUCTORS = [Object, Array, Date, String, Number, Boolean];

const REFUSED = Symbol('refused');

/** Past this depth superjson decides (it recurses as deep as the value goes). */
const MAX_DEPTH = 100;

/** A `Date` value's annotation; a container's is the record of its descendants' paths. */
const DATE = Symbol('Date');
type Annotations = typeof DATE | Record<string, unknown> | undefined;

/**
 * One walk, building the JSON value superjson would (`Date`s as ISO strings) and its annotations
 * the way superjson's walker does: per container, in key order, merged upwards under escaped
 * paths — so integer-like paths land where superjson's records put them.
 */
class FastWalk {
  /** The annotations of the value walked last. */
  annotations: Annotations;
  private readonly seen = new Set<object>();

  value(value: unknown, depth: number): unknown {
    this.annotations = undefined;
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        // NaN, ±Infinity and -0 carry superjson annotations.
        return Number.isFinite(value) && !Object.is(value, -0) ? value : REFUSED;
      case 'object':
        break;
      default:
        return REFUSED;
    }
    if (value === null) return null;
    // A value reached twice becomes superjson's referentialEqualities.
    if (depth > MAX_DEPTH || this.seen.has(value)) return REFUSED;
    this.seen.add(value);
    const proto = Object.getPrototypeOf(value);
    if (proto === Date.prototype) {
      const time = (value as Date).getTime();
      if (Number.isNaN(time)) return REFUSED;
      this.annotations = DATE;
      return (value as Date).toISOString();
    }
    if (proto === Array.prototype) {
      // Holes and extra properties: superjson's walk visits keys, not indices.
      if (Object.keys(value).length !== (value as unknown[]).length) return REFUSED;
      return this.entries(value as Record<string, unknown>, [] as unknown as Record<string, unknown>, depth);
    }
    if (proto === Object.prototype || proto === null)
      return this.entries(value as Record<string, unknown>, {}, depth);
    return REFUSED;
  }

  private entries(source: Record<string, unknown>, out: Record<string, unknown>, depth: number): unknown {
    let inner: Record<string, unknown> | undefined;
    for (const key of Object.keys(source)) {
      // superjson throws on these (prototype pollution); let it say so.
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') return REFUSED;
      const json = this.value(source[key], depth + 1);
      if (json === REFUSED) return REFUSED;
      out[key] = json;
      const below = this.annotations;
      if (below === DATE) {
        inner ??= {};
        inner[escapeKey(key)] = ['Date'];
      } else if (below) {
        inner ??= {};
        const prefix = `${escapeKey(key)}.`;
        for (const path of Object.keys(below)) inner[prefix + path] = below[path];
      }
    }
    this.annotations = inner;
    return out;
  }
}

/** superjson's path escaping: `\` doubled, then `.` escaped. */
function escapeKey(key: string): string {
  if (!ESCAPED.test(key)) return key;
  return key.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

const ESCAPED = /[\\.]/;
