export type {
  AnyGuardedProcedureBuilder,
  GuardedProcedureBuilder,
  IdempotencyKeyInput,
  inferGuardScopes,
} from './builder/types.js';
export type { Duration, DurationUnit } from './duration.js';
export {
  GuardrailsConfigError,
  type GuardrailsErrorData,
  GuardrailsRejection,
  getGuardrailsErrorData,
  guardrailsErrorFormatter,
  type IdempotencyErrorData,
  type IdempotencyErrorReason,
  type RateLimitErrorData,
} from './errors.js';
export type {
  ConflictEvent,
  ExecutedEvent,
  FencedEvent,
  GuardrailsEvent,
  LimitedEvent,
  ReplayedEvent,
  StoreErrorEvent,
} from './events.js';
export type { GuardrailsConfig } from './guard/config.js';
export { createGuardrails, type Guardrails } from './guard/create-guardrails.js';
export type { IdempotencyContext } from './idempotency/context.js';
export { canonicalize, fingerprintInput } from './idempotency/fingerprint.js';
export { checkIdempotencyKey, MAX_KEY_LENGTH } from './idempotency/key.js';
export type {
  ConcurrentPolicy,
  IdempotencyConfig,
  IdempotencyKeyFnOptions,
  IdempotentOptions,
  KeyedIdempotentOptions,
} from './idempotency/options.js';
export {
  type FixedWindowLimiter,
  fixedWindow,
  type Limiter,
  type SlidingWindowLimiter,
  slidingWindow,
  type TokenBucketLimiter,
  tokenBucket,
} from './rate-limit/algorithms.js';
export type { HeadersTarget, NodeHeadersTarget } from './rate-limit/headers.js';
export type { RateLimitedOptions, ScopeConfig, StoreErrorPolicy } from './rate-limit/options.js';
export type {
  CheckRequest,
  CheckResult,
  ClaimRequest,
  ClaimResult,
  CompleteRequest,
  ExtendRequest,
  FencedResult,
  GuardrailsStore,
  LimitRequest,
  LimitResult,
  ReleaseRequest,
  StoredOutcome,
} from './stores/types.js';
