import { getTRPCErrorFromUnknown, type TRPCError } from '@trpc/server';
import { getGuardrailsErrorData } from '../errors.js';
import { actionHeadersStorage } from './action-response-headers.js';
import type { ActionFailure, ActionResult, ActionResultOptions } from './action-result.js';
import { findNextControlFlow } from './next-control-flow.js';

const INTERNAL_ERROR_MESSAGE = 'Something went wrong on the server. Please try again.';

let warnedNoStorage = false;

/**
 * Runs a guarded Server Action (a procedure behind `experimental_nextAppDirCaller`, or a
 * `guard.once()` call) and returns its outcome as data, typed end to end. A Server Action has no
 * response headers, and in production Next.js replaces the message of a thrown error with a
 * digest, so a thrown `TOO_MANY_REQUESTS` would reach the page as "An error occurred".
 *
 * - success: `{ ok: true, data, replayed }` — `replayed` from the `Idempotent-Replayed` header
 *   the guard wrote to `actionResponseHeaders()` during the call;
 * - failure: `{ ok: false, code, message, guardrails, retryAfter }` — `guardrails` is the typed
 *   verdict (`getGuardrailsErrorData`); internal errors get a generic message;
 * - Next.js's control-flow errors (`redirect()`, `notFound()`, …) are rethrown for Next to act on.
 *
 * @example
 * ```ts
 * 'use server';
 * export async function payAction(_: unknown, form: FormData) {
 *   return toActionResult(() => pay(form)); // pay: a guarded procedure with experimental_caller
 * }
 * ```
 */
export async function toActionResult<TData>(
  call: () => TData | PromiseLike<TData>,
  options: ActionResultOptions = {},
): Promise<ActionResult<TData>> {
  const headers = new Headers();
  const storage = actionHeadersStorage();
  if (!storage && !warnedNoStorage) {
    warnedNoStorage = true;
    console.warn(
      '[trpc-guardrails] this runtime has no AsyncLocalStorage: toActionResult() cannot see the headers the guard writes, so `replayed` is always false',
    );
  }
  try {
    const data = await (storage ? storage.run(headers, call) : call());
    return { ok: true, data, replayed: headers.get('idempotent-replayed') === 'true' };
  } catch (error) {
    const controlFlow = findNextControlFlow(error);
    if (controlFlow !== undefined) throw controlFlow;
    return toActionFailure(getTRPCErrorFromUnknown(error), headers, options);
  }
}

function toActionFailure(error: TRPCError, headers: Headers, options: ActionResultOptions): ActionFailure {
  const { internalErrorMessage = INTERNAL_ERROR_MESSAGE, onError = logInternalError } = options;
  const guardrails = getGuardrailsErrorData(error);
  const fromData = guardrails && 'retryAfter' in guardrails ? guardrails.retryAfter : undefined;
  const fromHeader = Number(headers.get('retry-after'));
  const retryAfter = fromData ?? (Number.isFinite(fromHeader) && fromHeader > 0 ? fromHeader : undefined);
  onError(error);
  const internal = error.code === 'INTERNAL_SERVER_ERROR';
  return {
    ok: false,
    code: error.code,
    message: internal ? internalErrorMessage : error.message,
    guardrails,
    retryAfter,
  };
}

/** What Next.js does with a thrown error: the details stay in the server log. */
function logInternalError(error: TRPCError): void {
  if (error.code === 'INTERNAL_SERVER_ERROR') console.error('[trpc-guardrails] Server Action failed', error);
}
