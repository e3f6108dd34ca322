import { describe } from '../duration.js';
import { GuardrailsConfigError, rejection } from '../errors.js';
import type { HeaderReader, HeaderRecord } from '../identity/request-parts.js';
import { callsToSameProcedure } from './batch-calls.js';
import { parseKeyField } from './header-value.js';
import type { IdempotencyKeyFnOptions } from './options.js';

/**
 * Where `fromHeader` reads the key: the adapter's request — a fetch `Request` (the fetch
 * adapter's `req`) or a Node `IncomingMessage` (the standalone adapter's `req`) — or bare headers
 * (a `Headers`, Next.js `headers()`), which carry no URL, so batches cannot be checked.
 */
export type HeaderKeySource =
  | HeaderReader
  | { readonly headers: HeaderReader | HeaderRecord; readonly url?: string | undefined };

/** Options of `fromHeader(name, options)`. */
export interface FromHeaderOptions<TContext> {
  /**
   * Finds the request in the context. Return `undefined` when there is none (a server-side
   * call): the call then has no key.
   * @default ({ ctx }) => ctx.req
   * @example fromHeader('Idempotency-Key', { request: ({ ctx }) => ctx.request })
   */
  request: (opts: { ctx: TContext }) => HeaderKeySource | null | undefined;
}

/** The `key` function `fromHeader` makes, for `.idempotent({ key })`. */
export type HeaderKeyFn<TContext> = (opts: IdempotencyKeyFnOptions<TContext>) => string | undefined;

const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

/**
 * Reads the idempotency key from a request header, such as the IETF `Idempotency-Key`
 * (draft-ietf-httpapi-idempotency-key-header): `Idempotency-Key: "8e03978e-…"` (an RFC 9651
 * String; a bare value is accepted too). The procedure's input type is unchanged.
 *
 * - no header: `BAD_REQUEST` (`missing-key`), or unguarded with `required: false`;
 * - a malformed or repeated header: `BAD_REQUEST` (`invalid-key`);
 * - a batched HTTP request that calls the procedure more than once: `BAD_REQUEST`
 *   (`invalid-key`) for each of those calls, since they would share one record. Calls to
 *   different procedures in one batch each get their own record (records are scoped by path).
 *
 * Without options it reads `ctx.req`: put the adapter's request in the context.
 *
 * @example
 * ```ts
 * createContext: ({ req, resHeaders }) => ({ req, resHeaders, userId: … }),
 *
 * charge: procedure
 *   .idempotent({ key: fromHeader('Idempotency-Key') })
 *   .input(z.object({ amountCents: z.number() }))
 *   .mutation(({ ctx }) => pay(ctx.idempotency.key)),
 * ```
 */
export function fromHeader(name: string): HeaderKeyFn<{ req?: HeaderKeySource | null | undefined }>;
export function fromHeader<TContext>(
  name: string,
  options: FromHeaderOptions<TContext>,
): HeaderKeyFn<TContext>;
export function fromHeader(name: string, options?: FromHeaderOptions<unknown>): HeaderKeyFn<unknown> {
  if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
    throw new GuardrailsConfigError(
      `fromHeader(name) needs a header name such as 'Idempotency-Key', got ${describe(name)}`,
    );
  }
  const request = options?.request ?? (({ ctx }) => (ctx as { req?: HeaderKeySource } | undefined)?.req);
  if (typeof request !== 'function') {
    throw new GuardrailsConfigError(
      `fromHeader('${name}', { request }) must be a function such as ({ ctx }) => ctx.req, got ${describe(request)}`,
    );
  }
  const field = name.toLowerCase();
  return function keyFromHeader({ ctx, path, batchIndex = 0 }) {
    const source = request({ ctx });
    const value = typeof source === 'object' && source !== null ? readHeader(source, field) : undefined;
    if (value === undefined) throw missingKey(name, source);
    const parsed = parseKeyField(value);
    if ('problem' in parsed) {
      throw invalidKey(`The \`${name}\` header is not a valid idempotency key: ${parsed.problem}`);
    }
    if (parsed.key === '') throw missingKey(name, source);
    const url = 'url' in (source as object) ? (source as { url?: unknown }).url : undefined;
    const calls = callsToSameProcedure(url, batchIndex);
    if (calls > 1) {
      throw invalidKey(
        `One \`${name}\` header cannot key ${calls} calls to "${path}" in one batched request: they would share one record. Send them in separate requests (e.g. splitLink to httpLink), or key them in the input`,
      );
    }
    return parsed.key;
  };
}

function missingKey(name: string, source: unknown) {
  const where =
    typeof source === 'object' && source !== null ? '' : ' (this call has no request to read it from)';
  return rejection(
    'BAD_REQUEST',
    `Idempotency key missing: send an \`${name}\` header${where} (1–255 printable ASCII characters, one per user intent, e.g. from createIdempotencyKey())`,
    { kind: 'idempotency', reason: 'missing-key' },
  );
}

function invalidKey(message: string) {
  return rejection('BAD_REQUEST', message, { kind: 'idempotency', reason: 'invalid-key' });
}

/** One header's value: repeated lines joined by `, ` (which the key parser refuses as a list). */
function readHeader(source: HeaderKeySource, field: string): string | undefined {
  const headers = isReader(source) ? source : source.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = isReader(headers) ? headers.get(field) : headers[field];
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' ? value : undefined;
}

function isReader(value: object): value is HeaderReader {
  return typeof (value as Partial<HeaderReader>).get === 'function';
}
