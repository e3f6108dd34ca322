import type { TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import type { GuardrailsErrorData } from '../errors.js';

/**
 * What a guarded Server Action returns instead of throwing (see `toActionResult`): plain data
 * that React serializes to the page (a `Date` in `data` stays a `Date`), the guard's verdict typed.
 * Narrow on `ok`.
 */
export type ActionResult<TData> = ActionSuccess<TData> | ActionFailure;

/** The call returned. */
export interface ActionSuccess<TData> {
  ok: true;
  data: TData;
  /**
   * A stored result of an earlier call with the same idempotency key: the handler did not run
   * again. Read from the `Idempotent-Replayed` header the guard wrote to `actionResponseHeaders()`.
   */
  replayed: boolean;
}

/** The call threw: a guard's refusal, the handler's error, or an internal error (message hidden). */
export interface ActionFailure {
  ok: false;
  /** The tRPC error code, e.g. `TOO_MANY_REQUESTS`, `UNPROCESSABLE_CONTENT`, `BAD_REQUEST`. */
  code: TRPC_ERROR_CODE_KEY;
  /** Safe to show: the error's own message, or a generic one for `INTERNAL_SERVER_ERROR`. */
  message: string;
  /**
   * The rate-limit or idempotency verdict, as `error.data.guardrails` carries it over HTTP
   * (`{ kind: 'rate-limit', scope, limit, remaining, reset, retryAfter }`, …); `undefined` for
   * errors that are not the guard's.
   */
  guardrails: GuardrailsErrorData | undefined;
  /** Seconds to wait before retrying (a rate limit, an intent still in progress). */
  retryAfter: number | undefined;
}

/** Options of `toActionResult`. */
export interface ActionResultOptions {
  /**
   * The message of a failure whose error is `INTERNAL_SERVER_ERROR` (anything the handler threw
   * that was not a `TRPCError`), whose own message may hold internals.
   * @default 'Something went wrong on the server. Please try again.'
   */
  internalErrorMessage?: string;
  /**
   * Called with every error turned into a failure (Next.js's control-flow errors are rethrown
   * instead), e.g. to report it.
   * @default logs internal errors with `console.error`, as Next.js does for a thrown error
   */
  onError?: (error: TRPCError) => void;
}
