import { sha256Hex } from '../guard/sha256.js';
import type { BlobDigest } from './blob-digests.js';

/** How much input the fingerprint walks before it refuses the call. */
export interface FingerprintBudget {
  /**
   * Deepest nesting of objects, arrays, maps and sets.
   * @default 64
   */
  maxDepth: number;
  /**
   * Most values (every primitive, object, entry, element) counted over the whole input.
   * @default 100_000
   */
  maxValues: number;
  /**
   * Most characters of strings plus bytes of binary data (typed arrays) over the whole input.
   * @default 8_388_608 (8 MiB)
   */
  maxBytes: number;
}

export const DEFAULT_FINGERPRINT_BUDGET: FingerprintBudget = {
  maxDepth: 64,
  maxValues: 100_000,
  maxBytes: 8 * 1024 * 1024,
};

/** Why an input cannot be fingerprinted; the guard answers 413 for `too-large`, else 400. */
export type FingerprintProblem = 'too-large' | 'too-deep' | 'unsupported';

/** Thrown when an input is over the budget or holds a value with no faithful fingerprint. */
export class FingerprintError extends Error {
  constructor(
    readonly problem: FingerprintProblem,
    message: string,
  ) {
    super(message);
    this.name = 'FingerprintError';
  }
}

export interface FingerprintOptions {
  budget?: FingerprintBudget;
  /** Digests of the files of `FormData` inputs (read beforehand: reading a file is async). */
  files?: ReadonlyMap<Blob, BlobDigest>;
  /**
   * Serializes a class instance the fingerprint does not know (a class registered with
   * superjson, a custom type) into plain data — the app's transformer, so that exactly what the
   * transport carries is compared. Without it such values are refused.
   */
  serialize?: (value: object) => unknown;
}

/**
 * Fingerprint of a call's input: the hex SHA-256 of its canonical form (see {@link canonicalize}).
 *
 * @example
 * ```ts
 * fingerprintInput({ b: 1, a: new Date(0) }) === fingerprintInput({ a: new Date(0), b: 1 }); // true
 * ```
 */
export function fingerprintInput(input: unknown, options: FingerprintOptions = {}): string {
  return sha256Hex(canonicalize(input, options));
}

/** Children are compressed to their hash once their text would be longer than this. */
const INLINE_LIMIT = 128;

/**
 * Deterministic text form of a value. Object keys are sorted at every depth and every type
 * superjson can carry is tagged and written by its value, so the same input in any key order
 * gives the same text, and `1` / `'1'` / `1n`, a Date and its ISO string, or two `Uint8Array`s
 * with other bytes never collide.
 *
 * Bounded: an object reached twice (superjson's `referentialEqualities` can build a DAG whose
 * expansion is exponential) is walked once, because an object's form depends on its content
 * only and a long form is replaced by its hash; depth, values and bytes are budgeted; a cycle,
 * a symbol, a function or an unknown class throws {@link FingerprintError}.
 */
export function canonicalize(value: unknown, options: FingerprintOptions = {}): string {
  return new Canonicalizer(
    options.budget ?? DEFAULT_FINGERPRINT_BUDGET,
    options.serialize,
    options.files,
  ).form(value, 0);
}

class Canonicalizer {
  private readonly forms = new Map<object, string>();
  private readonly walking = new Set<object>();
  private values = 0;
  private bytes = 0;
  /** The instance whose serialized form is being walked: a class inside it is one the serializer does not know. */
  private serializing: object | undefined;

  constructor(
    private readonly budget: FingerprintBudget,
    private readonly serialize: ((value: object) => unknown) | undefined,
    private readonly files: ReadonlyMap<Blob, BlobDigest> | undefined,
  ) {}

  form(value: unknown, depth: number): string {
    if (++this.values > this.budget.maxValues) {
      throw new FingerprintError(
        'too-large',
        `the input holds more than ${this.budget.maxValues} values, the most an idempotent call fingerprints (idempotency.fingerprint.maxValues)`,
      );
    }
    switch (typeof value) {
      case 'undefined':
        return 'u';
      case 'boolean':
        return value ? 't' : 'f';
      case 'number':
        return Object.is(value, -0) ? 'n:-0' : `n:${value}`;
      case 'bigint':
        return `b:${value}`;
      case 'string':
        this.spend(value.length);
        return `s:${JSON.stringify(value)}`;
      case 'symbol':
      case 'function':
        throw unsupported(`a ${typeof value}`);
    }
    if (value === null) return 'null';
    const object = value as object;
    const known = this.forms.get(object);
    if (known !== undefined) return known;
    if (object === this.serializing) {
      // The transformer handed the instance back as it was: it does not know the class.
      throw unsupported(`an instance of ${className(object)}, a class the transformer does not know`);
    }
    if (this.walking.has(object)) {
      throw unsupported('a circular reference (an object that contains itself)');
    }
    if (depth >= this.budget.maxDepth) {
      throw new FingerprintError(
        'too-deep',
        `the input nests deeper than ${this.budget.maxDepth} levels, the most an idempotent call fingerprints (idempotency.fingerprint.maxDepth)`,
      );
    }
    this.walking.add(object);
    let form: string;
    try {
      form = this.objectForm(object, depth + 1);
    } finally {
      this.walking.delete(object);
    }
    if (form.length > INLINE_LIMIT) form = `#${sha256Hex(form)}`;
    this.forms.set(object, form);
    return form;
  }

  private objectForm(object: object, depth: number): string {
    if (Array.isArray(object)) {
      const items: string[] = [];
      for (let i = 0; i < object.length; i++) items.push(this.form(object[i], depth));
      return `[${items.join(',')}]`;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto === Object.prototype || proto === null) return this.entriesForm('{', object, depth);
    if (object instanceof Date) {
      // superjson only tags valid Dates; an invalid one travels as JSON `null`, so it is
      // fingerprinted as `null` too, or a first call and its retry over the wire would differ.
      return Number.isNaN(object.getTime()) ? 'null' : `d:${object.toISOString()}`;
    }
    if (object instanceof RegExp) return `r:${JSON.stringify(object.source)}/${object.flags}`;
    if (object instanceof Set) {
      return `set{${[...object]
        .map((item) => this.form(item, depth))
        .sort()
        .join(',')}}`;
    }
    if (object instanceof Map) {
      const entries = [...object].map(([k, v]) => `${this.form(k, depth)}=>${this.form(v, depth)}`);
      return `map{${entries.sort().join(',')}}`;
    }
    if (typeof URL === 'function' && object instanceof URL) {
      this.spend(object.href.length);
      return `url:${JSON.stringify(object.href)}`;
    }
    if (ArrayBuffer.isView(object)) {
      return this.binaryForm(
        className(object),
        new Uint8Array(object.buffer, object.byteOffset, object.byteLength),
      );
    }
    if (object instanceof ArrayBuffer) return this.binaryForm('ArrayBuffer', new Uint8Array(object));
    if (typeof FormData === 'function' && object instanceof FormData) {
      // Fields in order (a form sends them in document order), files by their digest.
      const entries: string[] = [];
      for (const [name, entry] of object) {
        this.spend(name.length);
        const value = typeof entry === 'string' ? this.form(entry, depth) : this.blobForm(entry);
        entries.push(`${JSON.stringify(name)}=${value}`);
      }
      return `form[${entries.join(',')}]`;
    }
    if (typeof Blob === 'function' && object instanceof Blob) return this.blobForm(object);
    if (object instanceof Error) {
      const { name, message } = object;
      const cause = 'cause' in object ? this.form(object.cause, depth) : '-';
      return this.entriesForm(
        `err:${JSON.stringify(name)}:${JSON.stringify(message)}:${cause}{`,
        object,
        depth,
      );
    }
    if (object instanceof String || object instanceof Number || object instanceof Boolean) {
      throw unsupported(`a boxed ${object.constructor.name}`);
    }
    if (!this.serialize || this.serializing) throw unsupported(`an instance of ${className(object)}`);
    let serialized: unknown;
    try {
      serialized = this.serialize(object);
    } catch (error) {
      throw unsupported(
        `an instance of ${className(object)} that the transformer cannot serialize (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    this.serializing = object;
    try {
      return `class:${JSON.stringify(className(object))}:${this.form(serialized, depth)}`;
    } finally {
      this.serializing = undefined;
    }
  }

  /** Own enumerable string keys, sorted; `stack` never counts (it differs on every throw). */
  private entriesForm(open: string, object: object, depth: number): string {
    const record = object as Record<string, unknown>;
    const entries: string[] = [];
    for (const key of Object.keys(record).sort()) {
      if (key === 'stack' && object instanceof Error) continue;
      this.spend(key.length);
      entries.push(`${JSON.stringify(key)}:${this.form(record[key], depth)}`);
    }
    return `${open}${entries.join(',')}}`;
  }

  /** A file of a form, by the digest read before the walk. */
  private blobForm(blob: Blob): string {
    const digest = this.files?.get(blob);
    if (!digest) throw unsupported('a file outside a FormData input');
    this.values++;
    this.spend(Math.min(digest.size, 1024 * 1024));
    return `file:${JSON.stringify(digest.name)}:${JSON.stringify(digest.type)}:${digest.size}:${digest.content}`;
  }

  /** Binary data by its type, length and the hash of its bytes. */
  private binaryForm(type: string, bytes: Uint8Array): string {
    this.spend(bytes.byteLength);
    return `bin:${type}:${bytes.byteLength}:${sha256Hex(bytes)}`;
  }

  private spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.budget.maxBytes) {
      throw new FingerprintError(
        'too-large',
        `the input holds more than ${this.budget.maxBytes} bytes of strings and binary data, the most an idempotent call fingerprints (idempotency.fingerprint.maxBytes)`,
      );
    }
  }
}

function unsupported(what: string): FingerprintError {
  return new FingerprintError(
    'unsupported',
    `the input contains ${what}, which cannot be fingerprinted faithfully; send plain data (or register the class with the tRPC transformer)`,
  );
}

function className(object: object): string {
  const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'an anonymous class';
}
