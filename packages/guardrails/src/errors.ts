import { TRPCError } from '@trpc/server';

/**
 * Thrown when the guard is set up wrongly: at setup time when `createGuardrails` or a builder
 * method gets a bad option; at call time for what only a call shows (an idempotent procedure
 * called with an empty path, bad `guard.once()` / `guard.limit()` options).
 */
export class GuardrailsConfigError extends Error {
  constructor(message: string) {
    super(`[trpc-guardrails] ${message}`);
    this.name = 'GuardrailsConfigError';
  }
}

/** What `error.data.guardrails` holds on the client for a rate-limit rejection. */
export interface RateLimitErrorData {
  kind: 'rate-limit';
  /** The scope that rejected the call, e.g. `"ip"`. */
  scope: string;
  /** The procedure's own bucket in that scope, when it has one (`.rateLimited(scope, { bucket })`). */
  bucket?: string;
  limit: number;
  remaining: number;
  /** When the scope's window resets, in epoch milliseconds. */
  reset: number;
  /** Seconds to wait before retrying. */
  retryAfter: number;
}

/**
 * Why an idempotent call was refused:
 * - `missing-key`, `invalid-key` (400): send a valid key;
 * - `in-progress` (409, with `retryAfter`): the same intent is running; retry later;
 * - `payload-mismatch` (422): the key was used with another input; use a new key;
 * - `input-too-large` (413), `input-too-deep` (400), `input-unsupported` (400): the input cannot
 *   be fingerprinted (over the budget, or a value with no faithful fingerprint);
 * - `input-malformed` (400): the procedure's `fingerprint.select` could not read the input;
 * - `result-not-replayable` (409): the intent already ran, but its result was too large to
 *   store (or not serializable); look it up instead of retrying.
 */
export type IdempotencyErrorReason =
  | 'missing-key'
  | 'invalid-key'
  | 'in-progress'
  | 'payload-mismatch'
  | 'input-too-large'
  | 'input-too-deep'
  | 'input-unsupported'
  | 'input-malformed'
  | 'result-not-replayable';

/** What `error.data.guardrails` holds on the client for an idempotency rejection. */
export interface IdempotencyErrorData {
  kind: 'idempotency';
  reason: IdempotencyErrorReason;
  /** Seconds to wait before retrying, for `in-progress`. */
  retryAfter?: number;
  /** The procedure, for `result-not-replayable`. */
  path?: string;
  /** When the intent first ran (epoch ms), for `result-not-replayable`. */
  executedAt?: number;
  /** Why the result was not kept, for `result-not-replayable`. */
  cause?: 'too-large' | 'not-serializable';
}

/** What `error.data.guardrails` holds on the client when a scope's deny list refused the call (403). */
export interface BlockedErrorData {
  kind: 'blocked';
  /** The scope whose deny list holds the caller. */
  scope: string;
}

/** The typed payload that `guardrailsErrorFormatter` puts at `error.data.guardrails`. */
export type GuardrailsErrorData = RateLimitErrorData | IdempotencyErrorData | BlockedErrorData;

/**
 * The `cause` of every `TRPCError` this library throws for a rejection. It carries the data the
 * error formatter exposes to clients.
 */
export class GuardrailsRejection extends Error {
  readonly data: GuardrailsErrorData;
  constructor(message: string, data: GuardrailsErrorData, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GuardrailsRejection';
    this.data = data;
    Object.defineProperty(this, REJECTION_BRAND, { value: true });
  }
}

/**
 * Marks rejections across copies of this module: Next.js gives each route bundle its own copy, so
 * a rejection made by one copy fails `instanceof` in another.
 */
const REJECTION_BRAND = Symbol.for('trpc-guardrails.rejection');

function isRejection(value: unknown): value is GuardrailsRejection {
  return (
    value instanceof GuardrailsRejection ||
    (typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[REJECTION_BRAND] === true)
  );
}

/**
 * Builds the `TRPCError` for a rejection, keeping the rejection as `cause` (and what caused it,
 * when something threw, as the rejection's `cause`).
 */
export function rejection(
  code: TRPCError['code'],
  message: string,
  data: GuardrailsErrorData,
  cause?: unknown,
): TRPCError {
  return withoutStack(() => {
    const reason = new GuardrailsRejection(message, data, cause === undefined ? undefined : { cause });
    return new TRPCError({ code, message, cause: reason });
  });
}

/**
 * A rejection is an answer, not a fault: its stack would only point into the guard, and capturing
 * one is most of what refusing a call costs (a refused caller may call again at once, and an
 * attacker will). Where the runtime lets `Error.stackTraceLimit` be set (V8, JavaScriptCore),
 * rejections are made without one.
 */
function withoutStack<T>(make: () => T): T {
  if (!STACK_LIMIT_WRITABLE) return make();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const STACK_LIMIT_WRITABLE = (() => {
  const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  return typeof descriptor?.value === 'number' && descriptor.writable === true;
})();

/**
 * Returns the client-facing guardrails data of an error thrown by a guarded procedure, or
 * `undefined` for any other error. Compose it into your own `errorFormatter`:
 *
 * @example
 * ```ts
 * initTRPC.create({
 *   errorFormatter: ({ shape, error }) => ({
 *     ...shape,
 *     data: { ...shape.data, guardrails: getGuardrailsErrorData(error), myField: 1 },
 *   }),
 * });
 * ```
 */
export function getGuardrailsErrorData(error: unknown): GuardrailsErrorData | undefined {
  const cause = error instanceof TRPCError || isTrpcErrorLike(error) ? error.cause : error;
  return isRejection(cause) ? cause.data : undefined;
}

/** A `TRPCError` from another copy of `@trpc/server` (bundles may hold several). */
function isTrpcErrorLike(error: unknown): error is { cause: unknown } {
  return (
    typeof error === 'object' && error !== null && (error as Error).name === 'TRPCError' && 'cause' in error
  );
}

/**
 * A tRPC `errorFormatter` that adds `data.guardrails` to the error shape, so clients can read
 * the scope, limit and `retryAfter` of a rejection.
 *
 * @example
 * ```ts
 * const t = initTRPC.context<Context>().create({ errorFormatter: guardrailsErrorFormatter });
 * ```
 */
export function guardrailsErrorFormatter<TShape extends { data: object }>(opts: {
  shape: TShape;
  error: TRPCError;
}): TShape & { data: TShape['data'] & { guardrails: GuardrailsErrorData | undefined } } {
  const { shape, error } = opts;
  return { ...shape, data: { ...shape.data, guardrails: getGuardrailsErrorData(error) } };
}
