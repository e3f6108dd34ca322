import { AsyncLocalStorage } from 'node:async_hooks';
import { getTRPCErrorFromUnknown } from '@trpc/server';
import { unstable_rethrow } from 'next/navigation';
import { getGuardrailsErrorData } from 'trpc-guardrails';
import type { ActionFailure, ActionResult } from '../shared/action-result';

/** The response headers of the Server Action being run: the guard writes here instead. */
const callHeaders = new AsyncLocalStorage<Headers>();

/**
 * Where the guard writes `Idempotent-Replayed`, `RateLimit` and `Retry-After` for the current
 * Server Action (put it in the context as `resHeaders`). Outside `toActionResult`, a throwaway.
 */
export function actionResponseHeaders(): Headers {
  return callHeaders.getStore() ?? new Headers();
}

/**
 * Runs a guarded Server Action and returns its outcome as data: a Server Action has no response
 * headers, and Next replaces thrown messages with a digest in production, so a thrown
 * `TOO_MANY_REQUESTS` would reach the page as "An error occurred".
 */
export async function toActionResult<TData>(call: () => Promise<TData>): Promise<ActionResult<TData>> {
  const headers = new Headers();
  try {
    const data = await callHeaders.run(headers, call);
    return { ok: true, data, replayed: headers.get('idempotent-replayed') === 'true' };
  } catch (error) {
    unstable_rethrow(error); // redirect(), notFound() and Next's own signals are not failures
    return toActionFailure(error, headers);
  }
}

function toActionFailure(error: unknown, headers: Headers): ActionFailure {
  const trpcError = getTRPCErrorFromUnknown(error);
  const guardrails = getGuardrailsErrorData(trpcError);
  const fromData = guardrails && 'retryAfter' in guardrails ? guardrails.retryAfter : undefined;
  const retryAfter = fromData ?? (Number(headers.get('retry-after')) || undefined);
  if (trpcError.code !== 'INTERNAL_SERVER_ERROR') {
    return { ok: false, code: trpcError.code, message: trpcError.message, guardrails, retryAfter };
  }
  // What Next would do for a thrown error: details stay in the server log.
  console.error('[demo-next] Server Action failed', error);
  return {
    ok: false,
    code: trpcError.code,
    message: 'The server failed. Press Pay again: the same intent is never charged twice.',
    guardrails,
    retryAfter,
  };
}
