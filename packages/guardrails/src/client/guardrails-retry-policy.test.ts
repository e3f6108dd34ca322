import { type Operation, TRPCClientError } from '@trpc/client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from './full-jitter-delay.js';
import { parseRetryAfter } from './get-retry-after-ms.js';
import { guardrailsRetryPolicy, hasIdempotencyKey } from './guardrails-retry-policy.js';
import { isRetryableError } from './is-retryable-error.js';

const op = (input: unknown, overrides: Partial<Operation> = {}): Operation => ({
  id: 1,
  type: 'mutation',
  path: 'charge',
  input,
  context: {},
  signal: undefined,
  ...overrides,
});

const serverError = (
  code: string,
  httpStatus: number,
  guardrails?: unknown,
  headers?: Record<string, string>,
) =>
  new TRPCClientError<any>('rejected', {
    result: { error: { message: 'rejected', code: -32000, data: { code, httpStatus, guardrails } } } as never,
    meta: headers ? { response: new Response(null, { headers }) } : undefined,
  });

const networkError = () => TRPCClientError.from(new TypeError('fetch failed'));
const keyed = op({ idempotencyKey: 'k1', amount: 1 });

describe('isRetryableError', () => {
  it('retries network errors, 5xx and 409 in-progress', () => {
    expect(isRetryableError(networkError())).toBe(true);
    expect(isRetryableError(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryableError(serverError('INTERNAL_SERVER_ERROR', 500))).toBe(true);
    expect(isRetryableError(serverError('SERVICE_UNAVAILABLE', 503))).toBe(true);
    expect(
      isRetryableError(
        serverError('CONFLICT', 409, { kind: 'idempotency', reason: 'in-progress', retryAfter: 1 }),
      ),
    ).toBe(true);
    expect(isRetryableError({ data: { code: 'GATEWAY_TIMEOUT' } })).toBe(true);
  });

  it('never retries other 4xx, aborts or unrelated errors', () => {
    expect(isRetryableError(serverError('TOO_MANY_REQUESTS', 429, { kind: 'rate-limit' }))).toBe(false);
    expect(isRetryableError(serverError('UNPROCESSABLE_CONTENT', 422))).toBe(false);
    expect(isRetryableError(serverError('BAD_REQUEST', 400))).toBe(false);
    expect(isRetryableError(serverError('CONFLICT', 409))).toBe(false);
    expect(isRetryableError(TRPCClientError.from(new DOMException('aborted', 'AbortError')))).toBe(false);
    expect(isRetryableError(new Error('bug'))).toBe(false);
    expect(isRetryableError('fetch failed')).toBe(false);
  });
});

describe('hasIdempotencyKey', () => {
  it('needs an object with a non-empty string idempotencyKey', () => {
    expect(hasIdempotencyKey({ idempotencyKey: 'k' })).toBe(true);
    for (const input of [undefined, null, 'k', {}, { idempotencyKey: '' }, { idempotencyKey: 1 }])
      expect(hasIdempotencyKey(input)).toBe(false);
  });
});

describe('guardrailsRetryPolicy', () => {
  it('retries keyed calls at most `retries` times', () => {
    const policy = guardrailsRetryPolicy({ retries: 2 });
    const error = networkError();
    expect([1, 2, 3].map((attempts) => policy.retry({ op: keyed, error, attempts }))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('does not retry unkeyed calls unless isSafe accepts them, nor cancelled calls', () => {
    const error = networkError();
    const query = op(undefined, { type: 'query', path: 'list' });
    expect(guardrailsRetryPolicy().retry({ op: query, error, attempts: 1 })).toBe(false);
    const policy = guardrailsRetryPolicy({ isSafe: (o) => o.type === 'query' });
    expect(policy.retry({ op: query, error, attempts: 1 })).toBe(true);
    const controller = new AbortController();
    controller.abort();
    expect(policy.retry({ op: { ...keyed, signal: controller.signal }, error, attempts: 1 })).toBe(false);
  });

  it('waits at least retryAfter, from the guardrails data or else the header, for the failure just seen', () => {
    const policy = guardrailsRetryPolicy({ baseDelayMs: 1, maxRetryAfterMs: 10_000 });
    const inProgress = serverError('CONFLICT', 409, {
      kind: 'idempotency',
      reason: 'in-progress',
      retryAfter: 3,
    });
    expect(policy.retry({ op: keyed, error: inProgress, attempts: 1 })).toBe(true);
    expect(policy.retryDelayMs(1)).toBe(3_000);
    expect(
      policy.retry({
        op: keyed,
        error: serverError('X', 503, undefined, { 'Retry-After': '2' }),
        attempts: 2,
      }),
    ).toBe(true);
    expect(policy.retryDelayMs(2)).toBe(2_000);
    expect(policy.retry({ op: keyed, error: networkError(), attempts: 3 })).toBe(true);
    expect(policy.retryDelayMs(3)).toBeLessThan(4); // no leftover wait from the previous failure
  });

  it('gives up when the server asks for a longer wait than maxRetryAfterMs', () => {
    const policy = guardrailsRetryPolicy({ maxRetryAfterMs: 5_000 });
    const error = serverError('CONFLICT', 409, {
      kind: 'idempotency',
      reason: 'in-progress',
      retryAfter: 60,
    });
    expect(policy.retry({ op: keyed, error, attempts: 1 })).toBe(false);
  });

  it('rejects bad options with a message that says what to pass', () => {
    expect(() => guardrailsRetryPolicy({ retries: -1 })).toThrow(
      '[trpc-guardrails] guardrailsRetryPolicy({ retries }) must be a non-negative integer, got -1',
    );
    expect(() => guardrailsRetryPolicy({ isSafe: true as never })).toThrow(/isSafe/);
  });

  it('backoff: full jitter under min(maxDelayMs, baseDelayMs·2^(attempt−1))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, max, random) => {
          const delay = fullJitterDelay(attempt, base, max, () => random);
          const ceiling = Math.min(max, base * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.max(0, ceiling));
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
    const policy = guardrailsRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 });
    const delays = Array.from({ length: 200 }, () => policy.retryDelayMs(10));
    expect(Math.max(...delays)).toBeLessThan(1_000);
    expect(new Set(delays).size).toBeGreaterThan(50); // jittered, not fixed
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
