import type {
  GuardrailsErrorData,
  IdempotencyErrorData,
  IdempotencyErrorReason,
  RateLimitErrorData,
} from '../errors.js';

const REASONS: readonly IdempotencyErrorReason[] = [
  'missing-key',
  'invalid-key',
  'in-progress',
  'payload-mismatch',
  'input-too-large',
  'input-too-deep',
  'input-unsupported',
  'input-malformed',
  'result-not-replayable',
];

const CAUSES = ['too-large', 'not-serializable'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Returns the typed `data.guardrails` of an error thrown by a guarded procedure (a
 * `TRPCClientError`, or any `TRPCClientErrorLike` such as a React Query error), or `undefined`
 * for any other error. The shape is checked, so a server without `guardrailsErrorFormatter`, a
 * network error or an unrelated value all give `undefined`.
 *
 * @example
 * ```ts
 * try {
 *   await client.createInvoice.mutate(input);
 * } catch (error) {
 *   const guardrails = getGuardrailsError(error);
 *   if (guardrails?.kind === 'rate-limit') toast(`Too fast: try again in ${guardrails.retryAfter} s`);
 *   else throw error;
 * }
 * ```
 */
export function getGuardrailsError(error: unknown): GuardrailsErrorData | undefined {
  if (!isRecord(error) || !isRecord(error.data)) return undefined;
  const data = error.data.guardrails;
  if (!isRecord(data)) return undefined;
  if (data.kind === 'rate-limit') {
    const { scope, bucket, limit, remaining, reset, retryAfter } = data;
    if (typeof scope !== 'string' || ![limit, remaining, reset, retryAfter].every(isNumber)) return undefined;
    if (bucket !== undefined && typeof bucket !== 'string') return undefined;
    const result = { kind: 'rate-limit', scope, limit, remaining, reset, retryAfter } as RateLimitErrorData;
    if (bucket !== undefined) result.bucket = bucket;
    return result;
  }
  if (data.kind === 'blocked') {
    return typeof data.scope === 'string' ? { kind: 'blocked', scope: data.scope } : undefined;
  }
  if (data.kind === 'idempotency') {
    const { reason, retryAfter, path, executedAt, cause } = data;
    if (!REASONS.includes(reason as IdempotencyErrorReason)) return undefined;
    if (retryAfter !== undefined && !isNumber(retryAfter)) return undefined;
    if (path !== undefined && typeof path !== 'string') return undefined;
    if (executedAt !== undefined && !isNumber(executedAt)) return undefined;
    if (cause !== undefined && !CAUSES.includes(cause as (typeof CAUSES)[number])) return undefined;
    const result: IdempotencyErrorData = { kind: 'idempotency', reason: reason as IdempotencyErrorReason };
    if (retryAfter !== undefined) result.retryAfter = retryAfter;
    if (path !== undefined) result.path = path;
    if (executedAt !== undefined) result.executedAt = executedAt;
    if (cause !== undefined) result.cause = cause as (typeof CAUSES)[number];
    return result;
  }
  return undefined;
}

/**
 * Whether `error` is a rate-limit rejection (HTTP 429) of a guarded procedure.
 *
 * @example
 * ```ts
 * if (isRateLimitError(error)) console.log(error.data.guardrails.retryAfter);
 * ```
 */
export function isRateLimitError(error: unknown): error is { data: { guardrails: RateLimitErrorData } } {
  return getGuardrailsError(error)?.kind === 'rate-limit';
}

/**
 * Whether `error` is an idempotency rejection of a guarded procedure (missing or invalid key,
 * still in progress, or the same key with another input).
 *
 * @example
 * ```ts
 * if (isIdempotencyError(error) && error.data.guardrails.reason === 'payload-mismatch') rotate();
 * ```
 */
export function isIdempotencyError(error: unknown): error is { data: { guardrails: IdempotencyErrorData } } {
  return getGuardrailsError(error)?.kind === 'idempotency';
}
