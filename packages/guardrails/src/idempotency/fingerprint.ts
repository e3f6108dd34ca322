import { sha256Hex } from '../guard/keys.js';

/**
 * Fingerprint of a call's input: the SHA-256 of its canonical form. Object keys are sorted at
 * every depth and every superjson-supported type is tagged, so the same input in any key order
 * gives the same fingerprint, and `1` / `'1'` / `1n` or a Date and its ISO string do not collide.
 */
export async function fingerprintInput(input: unknown): Promise<string> {
  return sha256Hex(canonicalize(input));
}

/** Deterministic text form of a value; see {@link fingerprintInput}. */
export function canonicalize(value: unknown, seen: Set<object> = new Set()): string {
  switch (typeof value) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
      return Number.isNaN(value) ? 'n:NaN' : Object.is(value, -0) ? 'n:-0' : `n:${value}`;
    case 'bigint':
      return `b:${value}`;
    case 'string':
      return `s:${JSON.stringify(value)}`;
    case 'symbol':
    case 'function':
      throw new TypeError(`cannot fingerprint a ${typeof value}`);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.has(object)) throw new TypeError('cannot fingerprint a circular structure');
  seen.add(object);
  try {
    if (object instanceof Date)
      return `d:${Number.isNaN(object.getTime()) ? 'invalid' : object.toISOString()}`;
    if (object instanceof RegExp) return `r:${object.toString()}`;
    if (Array.isArray(object)) return `[${object.map((item) => canonicalize(item, seen)).join(',')}]`;
    if (object instanceof Set) {
      return `set{${[...object]
        .map((item) => canonicalize(item, seen))
        .sort()
        .join(',')}}`;
    }
    if (object instanceof Map) {
      const entries = [...object].map(([k, v]) => `${canonicalize(k, seen)}=>${canonicalize(v, seen)}`);
      return `map{${entries.sort().join(',')}}`;
    }
    const entries = Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalize((object as Record<string, unknown>)[key], seen)}`);
    return `{${entries.join(',')}}`;
  } finally {
    seen.delete(object);
  }
}
