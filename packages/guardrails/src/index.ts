export type {
  AnyGuardedProcedureBuilder,
  GuardedProcedureBuilder,
  IdempotencyKeyInput,
  inferGuardScopes,
  OptionalIdempotencyKeyInput,
} from './builder/types.js';
export type { Duration, DurationUnit } from './duration.js';
export {
  type BlockedErrorData,
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
  BlockedEvent,
  ConflictEvent,
  ExecutedEvent,
  FencedEvent,
  GuardrailsEvent,
  LimitedEvent,
  OutcomeLostEvent,
  OutcomeStoredEvent,
  ReplayedEvent,
  StoreErrorEvent,
  UnguardedEvent,
  WarningEvent,
} from './events.js';
export type { GuardrailsConfig } from './guard/config.js';
export { createGuardrails, type Guardrails } from './guard/create-guardrails.js';
export type { LimitOptions } from './guard/limit.js';
export type { OnceOptions, OnceRateLimit, OnceSettings, OnceWork, ScopeNames } from './guard/once.js';
export type { IdempotencyContext, UnguardedIdempotencyContext } from './idempotency/context.js';
export {
  canonicalize,
  type FingerprintBudget,
  FingerprintError,
  type FingerprintOptions,
  type FingerprintProblem,
  fingerprintInput,
} from './idempotency/fingerprint.js';
export {
  type FromHeaderOptions,
  fromHeader,
  type HeaderKeyFn,
  type HeaderKeySource,
} from './idempotency/from-header.js';
export { checkIdempotencyKey, MAX_KEY_LENGTH } from './idempotency/key.js';
export type {
  ConcurrentPolicy,
  IdempotencyConfig,
  IdempotencyKeyFnOptions,
  IdempotentFingerprintOptions,
  IdempotentOptions,
  KeyedIdempotentOptions,
} from './idempotency/options.js';
export {
  type AddressKeyOptions,
  addressKey,
  type ClientAddressOptions,
  type ClientAddressSource,
  canonicalAddress,
  clientAddress,
  createClientAddress,
  type ForwardingHeader,
  type HeaderReader,
  type HeaderRecord,
  type IdentityWarning,
  type IdentityWarningCause,
  type IdentityWarningHandler,
  type IpScopeOptions,
  ipScope,
  type Platform,
  type PlatformOption,
  type ProxyPreset,
  type TrustProxy,
  UNKNOWN_ADDRESS_KEY,
} from './identity/index.js';
export { type AccessList, accessList } from './rate-limit/access-list.js';
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
export type {
  AccessListOption,
  LimiterChoice,
  RateLimitedOptions,
  ScopeCallOptions,
  ScopeConfig,
  StoreErrorPolicy,
} from './rate-limit/options.js';
export { lazyStore } from './stores/lazy-store.js';
export type {
  CheckRequest,
  CheckResult,
  ClaimRequest,
  ClaimResult,
  CompleteRequest,
  CompleteResult,
  ExtendRequest,
  ExtendResult,
  FencedResult,
  GuardrailsStore,
  LimitRequest,
  LimitResult,
  ReleaseRequest,
  StoredOutcome,
  UnreplayableCause,
} from './stores/types.js';
