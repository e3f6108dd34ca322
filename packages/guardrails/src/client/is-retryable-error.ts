import { getGuardrailsError } from './get-guardrails-error.js';

/** tRPC codes by HTTP status, for error formatters that drop `data.httpStatus`. */
const STATUS_OF_CODE: Record<string, number> = {
  CONFLICT: 409,
  INTERNAL_SERVER_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const isAbort = (error: unknown): boolean =>
  isRecord(error) &&
  (error.name === 'AbortError' || (isRecord(error.cause) && error.cause.name === 'AbortError'));

/**
 * Whether a failed call may succeed if sent again unchanged — the *error* half of the retry
 * decision (the other half is whether the call is safe to repeat, see `guardrailsRetryPolicy`):
 *
 * - no tRPC response: the request failed (`fetch` threw, the connection dropped, the body broke
 *   off) or the response was not a tRPC response (a proxy's 502 page) — `TRPCClientError`
 *   without `data`, or a bare `TypeError` from `fetch`;
 * - a 5xx response (`INTERNAL_SERVER_ERROR`, `SERVICE_UNAVAILABLE`, `GATEWAY_TIMEOUT`, ...);
 * - 409 with `data.guardrails.reason === 'in-progress'`: the same intent is still running.
 *
 * Never a cancelled call, and never another 4xx: 400, 401, 403, 422 (same key, other input) and
 * 429 (rate limited) fail the same way when sent again.
 *
 * @example
 * ```ts
 * // TanStack Query does its own retries: give it the same rule.
 * new QueryClient({ defaultOptions: { mutations: { retry: (count, error) => count < 3 && isRetryableError(error) } } });
 * ```
 */
export function isRetryableError(error: unknown): boolean {
  if (!isRecord(error) || isAbort(error)) return false;
  const data = error.data;
  if (!isRecord(data)) return error.name === 'TRPCClientError' || error instanceof TypeError;
  const status = typeof data.httpStatus === 'number' ? data.httpStatus : STATUS_OF_CODE[String(data.code)];
  if (status === undefined) return false;
  if (status >= 500) return true;
  if (status === 409) {
    const guardrails = getGuardrailsError(error);
    return guardrails?.kind === 'idempotency' && guardrails.reason === 'in-progress';
  }
  return false;
}
