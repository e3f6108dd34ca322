/**
 * Attribute names on the spans, span events and metrics of `trpc-guardrails/otel`, in the style
 * of the OpenTelemetry semantic conventions. Metrics carry only the low-cardinality ones (no
 * identifiers, keys or owners, ever).
 */

/** The tRPC procedure path, e.g. `checkout.pay`. */
export const ATTR_TRPC_PROCEDURE = 'trpc.procedure';
/** The rate-limit scope that decided, e.g. `ip`. */
export const ATTR_GUARDRAILS_SCOPE = 'guardrails.scope';
/** The procedure's own bucket in that scope, when it has one. */
export const ATTR_GUARDRAILS_BUCKET = 'guardrails.bucket';
/** What the handler produced: `result`, `error`, or (replays) `unreplayable`. */
export const ATTR_GUARDRAILS_OUTCOME = 'guardrails.outcome';
/** Why: a conflict's `in-progress` / `payload-mismatch`, an `outcome-lost`'s `fenced` / `expired` / … */
export const ATTR_GUARDRAILS_REASON = 'guardrails.reason';
/** The store operation: `check`, `complete`, `extend` or `release`. */
export const ATTR_GUARDRAILS_STORE_OPERATION = 'guardrails.store.operation';
/** What a call did about a store failure: `deny`, `allow` or `retry`. */
export const ATTR_GUARDRAILS_STORE_POLICY = 'guardrails.store.policy';
/** What a store operation answered: `ok`, `fenced`, `too-large`, `expired`. */
export const ATTR_GUARDRAILS_STORE_RESULT = 'guardrails.store.result';
/** How many rate limits a `check` carried, and how many of them denied. */
export const ATTR_GUARDRAILS_STORE_LIMITS = 'guardrails.store.limits';
export const ATTR_GUARDRAILS_STORE_DENIED = 'guardrails.store.denied';
/** Whether a `check` carried an idempotency claim. */
export const ATTR_GUARDRAILS_STORE_CLAIM = 'guardrails.store.claim';
/** What a `check`'s claim answered: `acquired`, `in-progress`, `completed`, `mismatch`, … */
export const ATTR_GUARDRAILS_CLAIM_STATUS = 'guardrails.claim.status';
/** Whether the execution took over a lapsed lease. */
export const ATTR_GUARDRAILS_TAKEOVER = 'guardrails.takeover';
/** Whether the outcome was stored before the caller got its answer. */
export const ATTR_GUARDRAILS_STORED = 'guardrails.stored';
/** The fencing token of the execution. */
export const ATTR_GUARDRAILS_TOKEN = 'guardrails.token';
/** Attempts at storing an outcome. */
export const ATTR_GUARDRAILS_ATTEMPTS = 'guardrails.attempts';
/** The handler's run time (`executed`) or the delay until a late outcome was stored, in seconds. */
export const ATTR_GUARDRAILS_DURATION = 'guardrails.duration';
/** A rate limit's size, what is left of it, its reset (epoch ms) and the wait it asks (s). */
export const ATTR_GUARDRAILS_LIMIT = 'guardrails.limit';
export const ATTR_GUARDRAILS_REMAINING = 'guardrails.remaining';
export const ATTR_GUARDRAILS_RESET = 'guardrails.reset';
export const ATTR_GUARDRAILS_RETRY_AFTER = 'guardrails.retry_after';
/** The scopes a failed `check` carried. */
export const ATTR_GUARDRAILS_SCOPES = 'guardrails.scopes';
/** A `warning`'s cause, e.g. `forwarded-header-untrusted`. */
export const ATTR_GUARDRAILS_WARNING_CAUSE = 'guardrails.warning.cause';
/** The class of a failure, as in the semantic conventions (`StoreTimeoutError`, `UpstashError`). */
export const ATTR_ERROR_TYPE = 'error.type';

/** Opt-in (`includeIdentifiers`), span events only: the rate-limited identifier (IP, user id…). */
export const ATTR_GUARDRAILS_IDENTIFIER = 'guardrails.identifier';
/** Opt-in, span events only: the owner the idempotency record is scoped to. */
export const ATTR_GUARDRAILS_OWNER = 'guardrails.owner';
/** Opt-in, span events only: the idempotency key. */
export const ATTR_GUARDRAILS_IDEMPOTENCY_KEY = 'guardrails.idempotency_key';
