import { createTRPCClient, httpLink, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from 'demo-server';
import superjson from 'superjson';

/** Per-call context: the headers to send, and a callback that gets the HTTP response. */
export interface StormCallContext {
  [key: string]: unknown;
  headers: Record<string, string>;
  onResponse?: (response: Response) => void;
}

/** Hands each call's HTTP response to its `onResponse`, to read `Idempotent-Replayed`. */
function responseLink(): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) =>
        next(op).subscribe({
          next(envelope) {
            const response = (envelope.context as { response?: Response } | undefined)?.response;
            if (response) (op.context as Partial<StormCallContext>).onResponse?.(response);
            observer.next(envelope);
          },
          error: (error) => observer.error(error),
          complete: () => observer.complete(),
        }),
      );
}

/** A typed client of one demo server. Retries are the storm's own, so it can count them. */
export function createStormClient(url: string) {
  return createTRPCClient<AppRouter>({
    links: [
      responseLink(),
      httpLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: ({ op }) => (op.context as Partial<StormCallContext>).headers ?? {},
      }),
    ],
  });
}

export type StormClient = ReturnType<typeof createStormClient>;
