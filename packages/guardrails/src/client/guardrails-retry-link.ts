import { retryLink, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { type GuardrailsRetryOptions, guardrailsRetryPolicy } from './guardrails-retry-policy.js';

/**
 * tRPC's `retryLink` with `guardrailsRetryPolicy`: retries calls that carry an `idempotencyKey`
 * (or that `isSafe` accepts) after network errors, 5xx and 409 in-progress, with exponential
 * backoff and full jitter, waiting at least the server's `Retry-After`. Put it before the
 * terminating link.
 *
 * @example
 * ```ts
 * const client = createTRPCClient<AppRouter>({
 *   links: [
 *     guardrailsRetryLink({ retries: 4 }),
 *     httpBatchLink({ url: '/api/trpc', transformer: superjson }),
 *   ],
 * });
 * ```
 */
export function guardrailsRetryLink<TRouter extends AnyRouter = AnyRouter>(
  options: GuardrailsRetryOptions = {},
): TRPCLink<TRouter> {
  return retryLink<TRouter>(guardrailsRetryPolicy(options));
}
