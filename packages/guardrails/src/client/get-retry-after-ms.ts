import { getGuardrailsError } from './get-guardrails-error.js';

interface HeadersLike {
  get(name: string): string | null;
}

/**
 * How long the server asked the client to wait before retrying `error`, in milliseconds, or
 * `undefined` when it did not say. Reads `data.guardrails.retryAfter` first (exact per call, also
 * inside a batch), then the `Retry-After` header of the response (seconds or an HTTP date), which
 * tRPC's HTTP links keep at `error.meta.response`.
 *
 * @internal
 */
export function getRetryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  const guardrails = getGuardrailsError(error);
  if (guardrails && 'retryAfter' in guardrails && guardrails.retryAfter !== undefined) {
    return Math.max(0, guardrails.retryAfter * 1000);
  }
  return parseRetryAfter(responseHeaders(error)?.get('retry-after'), now);
}

function responseHeaders(error: unknown): HeadersLike | undefined {
  const meta = (error as { meta?: { response?: { headers?: unknown } } } | null | undefined)?.meta;
  const headers = meta?.response?.headers as Partial<HeadersLike> | undefined;
  return typeof headers?.get === 'function' ? (headers as HeadersLike) : undefined;
}

/**
 * Parses a `Retry-After` value (RFC 9110: delay-seconds or an HTTP date) into milliseconds.
 *
 * @internal
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
