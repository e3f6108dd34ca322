'use client';

import { createTRPCClient, httpBatchLink, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import superjson from 'superjson';
import { guardrailsRetryLink } from 'trpc-guardrails/client';
import type { AppRouter } from '../server/router';

const replayedResults = new WeakSet<object>();

/** Whether a result came with `Idempotent-Replayed: true` (a stored result, no new execution). */
export function wasReplayed(result: object): boolean {
  return replayedResults.has(result);
}

/**
 * Notes `Idempotent-Replayed` per result. The header belongs to the HTTP response: in a batch it
 * is set when any call of the batch replayed (each click of Pay is its own batch here).
 */
function replayedLink(): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) =>
        next(op).subscribe({
          next(envelope) {
            const response = (envelope.context as { response?: Response } | undefined)?.response;
            const data = envelope.result.type === 'data' ? envelope.result.data : undefined;
            if (
              typeof data === 'object' &&
              data !== null &&
              response?.headers.get('idempotent-replayed') === 'true'
            ) {
              replayedResults.add(data);
            }
            observer.next(envelope);
          },
          error: (error) => observer.error(error),
          complete: () => observer.complete(),
        }),
      );
}

/** The edge route handler's client: retries only keyed calls, then batches over HTTP. */
export function createEdgeClient() {
  return createTRPCClient<AppRouter>({
    links: [
      guardrailsRetryLink({ retries: 3, baseDelayMs: 250 }),
      replayedLink(),
      httpBatchLink({ url: '/api/trpc', transformer: superjson, maxItems: 10 }),
    ],
  });
}

export type EdgeClient = ReturnType<typeof createEdgeClient>;
