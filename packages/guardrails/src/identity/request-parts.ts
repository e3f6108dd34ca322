import { BUDGET, type WorkMeter } from './budget.js';

/** Anything with `get(name)`: a fetch `Headers`, Next.js `headers()`, an Express `req.get`. */
export interface HeaderReader {
  get(name: string): string | null | undefined;
}

/** Headers as Node's `IncomingMessage.headers` holds them (lowercase names, repeated ones as arrays). */
export type HeaderRecord = { readonly [name: string]: string | readonly string[] | undefined };

/**
 * Where `clientAddress` looks: a Node `IncomingMessage` (its `headers` and `socket.remoteAddress`),
 * a fetch `Request`, a `Headers` object (e.g. Next.js `headers()`), or `{ headers, remoteAddress }`.
 */
export type ClientAddressSource =
  | HeaderReader
  | {
      readonly headers: HeaderReader | HeaderRecord;
      readonly socket?: { readonly remoteAddress?: string | undefined } | null | undefined;
      readonly remoteAddress?: string | null | undefined;
    };

/** @internal A source reduced to what the resolver reads. */
export interface RequestParts {
  header(name: string): string | undefined;
  remoteAddress: string | undefined;
}

/** @internal Never throws on odd sources: missing parts read as `undefined`. */
export function requestParts(source: ClientAddressSource, meter: WorkMeter): RequestParts {
  if (typeof source !== 'object' || source === null)
    return { header: () => undefined, remoteAddress: undefined };
  if ('headers' in source && typeof source.headers === 'object' && source.headers !== null) {
    const { headers } = source;
    const remote = source.remoteAddress ?? source.socket?.remoteAddress;
    return {
      header: isReader(headers) ? readerHeader(headers) : recordHeader(headers, meter),
      remoteAddress: typeof remote === 'string' ? remote : undefined,
    };
  }
  if (isReader(source)) return { header: readerHeader(source), remoteAddress: undefined };
  return { header: () => undefined, remoteAddress: undefined };
}

function isReader(value: object): value is HeaderReader {
  return typeof (value as Partial<HeaderReader>).get === 'function';
}

function readerHeader(reader: HeaderReader) {
  return (name: string): string | undefined => {
    const value = reader.get(name);
    return typeof value === 'string' ? value : undefined;
  };
}

function recordHeader(record: HeaderRecord, meter: WorkMeter) {
  return (name: string): string | undefined => {
    let value = record[name];
    if (value === undefined) {
      // Plain objects written by hand may keep the original case; Node's are lowercase already.
      let checked = 0;
      for (const key in record) {
        if (++checked > BUDGET.headerKeys) break;
        meter.keys++;
        if (key.length === name.length && key.toLowerCase() === name) {
          value = record[key];
          break;
        }
      }
    }
    if (typeof value === 'string') return value;
    return Array.isArray(value) ? joinTail(value as readonly unknown[]) : undefined;
  };
}

/**
 * Repeated header lines joined as Node joins them (`, `), keeping only what the budget reads; when
 * lines are left out the result is longer than the budget, so `listTail` knows it is not complete.
 */
function joinTail(values: readonly unknown[]): string | undefined {
  const kept: string[] = [];
  let length = 0;
  const last = Math.max(0, values.length - BUDGET.headerChars);
  for (let index = values.length - 1; index >= last && length <= BUDGET.headerChars + 2; index--) {
    const value = values[index];
    if (typeof value !== 'string') continue;
    kept.push(value);
    length += value.length + 2;
  }
  return kept.length === 0 ? undefined : kept.reverse().join(', ');
}
