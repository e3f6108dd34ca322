import type { Operation } from '@trpc/client';
import { fullJitterDelay } from './full-jitter-delay.js';
import { getRetryAfterMs } from './get-retry-after-ms.js';
import { isRetryableError } from './is-retryable-error.js';

/** Options of `guardrailsRetryPolicy` and `guardrailsRetryLink`. */
export interface GuardrailsRetryOptions {
  /**
   * How many times one call is sent again after its first attempt.
   * @default 4
   */
  retries?: number;
  /**
   * Ceiling of the first backoff delay; it doubles with every retry (full jitter: the delay is
   * random between 0 and the ceiling).
   * @default 300
   */
  baseDelayMs?: number;
  /**
   * Largest backoff ceiling.
   * @default 10_000
   */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` the link waits for. When the server asks for a longer wait the call
   * is not retried and its error reaches the caller (read the wait with `getGuardrailsError`).
   * @default 60_000
   */
  maxRetryAfterMs?: number;
  /**
   * Calls that are safe to repeat without an `idempotencyKey` in their input, e.g.
   * `(op) => op.type === 'query'`, or a webhook-style procedure whose key is derived from its
   * input: `(op) => op.path === 'webhook'`. Calls whose input has a non-empty `idempotencyKey`
   * are always safe.
   * @default () => false
   */
  isSafe?: (op: Operation) => boolean;
}

/** What `retryLink` from `@trpc/client` takes; spread it into `retryLink({ ... })`. */
export interface GuardrailsRetryPolicy {
  retry(opts: { op: Operation; error: unknown; attempts: number }): boolean;
  retryDelayMs(attempts: number): number;
}

/** Whether `input` carries an idempotency key: an object with a non-empty `idempotencyKey` string. */
export function hasIdempotencyKey(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return false;
  const key = (input as { idempotencyKey?: unknown }).idempotencyKey;
  return typeof key === 'string' && key.length > 0;
}

/**
 * A retry policy for tRPC's `retryLink` that repeats only what is safe to repeat: calls whose
 * input carries an `idempotencyKey` (the server replays instead of running twice) or that
 * `isSafe` accepts — and only after errors that may pass on a second try (see
 * `isRetryableError`: network errors, 5xx, 409 in-progress; never 429, 422 or other 4xx).
 * Waits use exponential backoff with full jitter, and never less than the server's
 * `Retry-After` (`data.guardrails.retryAfter`, else the response header).
 *
 * `retryLink` gives `retryDelayMs` only the attempt number, so `retry` notes the wait the failed
 * call asked for and `retryDelayMs` uses it: `retryLink` calls the two back to back for the same
 * failure, synchronously, so one policy object is safe to share across concurrent calls.
 * Prefer `guardrailsRetryLink`, which does the wiring; use the policy to combine it with your own
 * rule.
 *
 * @example
 * ```ts
 * const policy = guardrailsRetryPolicy({ retries: 3 });
 * const link = retryLink({
 *   retry: (opts) => opts.op.path !== 'payments.refund' && policy.retry(opts),
 *   retryDelayMs: policy.retryDelayMs,
 * });
 * ```
 */
export function guardrailsRetryPolicy(options: GuardrailsRetryOptions = {}): GuardrailsRetryPolicy {
  const {
    retries = 4,
    baseDelayMs = 300,
    maxDelayMs = 10_000,
    maxRetryAfterMs = 60_000,
    isSafe = () => false,
  } = options;
  assertCount('retries', retries);
  assertCount('baseDelayMs', baseDelayMs);
  assertCount('maxDelayMs', maxDelayMs);
  assertCount('maxRetryAfterMs', maxRetryAfterMs);
  if (typeof isSafe !== 'function')
    throw new TypeError(
      '[trpc-guardrails] guardrailsRetryPolicy({ isSafe }) must be a function of the operation',
    );

  /** The wait the latest failure asked for, handed from `retry` to the `retryDelayMs` call after it. */
  let requestedDelayMs = 0;

  return {
    retry: function retry({ op, error, attempts }) {
      requestedDelayMs = 0;
      if (attempts > retries || op.signal?.aborted) return false;
      if (!hasIdempotencyKey(op.input) && !isSafe(op)) return false;
      if (!isRetryableError(error)) return false;
      const retryAfterMs = getRetryAfterMs(error) ?? 0;
      if (retryAfterMs > maxRetryAfterMs) return false;
      requestedDelayMs = retryAfterMs;
      return true;
    },
    retryDelayMs: function retryDelayMs(attempts) {
      const delay = Math.max(requestedDelayMs, fullJitterDelay(attempts, baseDelayMs, maxDelayMs));
      requestedDelayMs = 0;
      return delay;
    },
  };
}

function assertCount(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new TypeError(
      `[trpc-guardrails] guardrailsRetryPolicy({ ${name} }) must be a non-negative integer, got ${String(value)}`,
    );
  }
}
