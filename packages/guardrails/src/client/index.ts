export type {
  BlockedErrorData,
  GuardrailsErrorData,
  IdempotencyErrorData,
  IdempotencyErrorReason,
  RateLimitErrorData,
} from '../errors.js';
export { createIdempotencyKey } from './create-idempotency-key.js';
export { getGuardrailsError, isIdempotencyError, isRateLimitError } from './get-guardrails-error.js';
export { guardrailsRetryLink } from './guardrails-retry-link.js';
export {
  type GuardrailsRetryOptions,
  type GuardrailsRetryPolicy,
  guardrailsRetryPolicy,
  hasIdempotencyKey,
} from './guardrails-retry-policy.js';
export { isRetryableError } from './is-retryable-error.js';
