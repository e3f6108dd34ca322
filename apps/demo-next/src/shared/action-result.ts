import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { GuardrailsErrorData } from 'trpc-guardrails/client';

/**
 * What a guarded Server Action returns instead of throwing: plain data that React serializes to
 * the page (a `Date` in `data` stays a `Date`), with the guard's verdict typed.
 */
export type ActionResult<TData> = ActionSuccess<TData> | ActionFailure;

export interface ActionSuccess<TData> {
  ok: true;
  data: TData;
  /** A stored result of an earlier call with the same key: the handler did not run again. */
  replayed: boolean;
}

export interface ActionFailure {
  ok: false;
  code: TRPC_ERROR_CODE_KEY;
  /** Safe to show: the error's own message, or a generic one for internal errors. */
  message: string;
  /** The rate-limit or idempotency verdict, as `error.data.guardrails` would carry it over HTTP. */
  guardrails: GuardrailsErrorData | undefined;
  /** Seconds to wait before retrying (429, 409 in progress). */
  retryAfter: number | undefined;
}
