import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from 'demo-server';

/** How a result reached the page. */
export interface ResponseInfo {
  /** The server answered `Idempotent-Replayed: true`: a stored result, no new execution. */
  replayed: boolean;
  /** Requests sent for this call, retries included. */
  attempts: number;
  /** Attempts that got no response at all (connection lost). */
  lostResponses: number;
}

const infoByResult = new WeakMap<object, ResponseInfo>();

/** The `ResponseInfo` of a result object returned by the tRPC client, if it was recorded. */
export function getResponseInfo(result: unknown): ResponseInfo | undefined {
  return typeof result === 'object' && result !== null ? infoByResult.get(result) : undefined;
}

/**
 * Sits below the retry link, so it sees every attempt: counts them, notes lost responses, and
 * reads `Idempotent-Replayed` from the final response.
 */
export function responseInfoLink(): TRPCLink<AppRouter> {
  return () => {
    const attemptsByOp = new Map<number, { attempts: number; lost: number }>();
    return ({ op, next }) =>
      observable((observer) => {
        const tally = attemptsByOp.get(op.id) ?? { attempts: 0, lost: 0 };
        tally.attempts++;
        attemptsByOp.set(op.id, tally);
        return next(op).subscribe({
          next(envelope) {
            const response = (envelope.context as { response?: Response } | undefined)?.response;
            const data =
              envelope.result.type === 'data' || !envelope.result.type ? envelope.result.data : undefined;
            if (typeof data === 'object' && data !== null) {
              infoByResult.set(data, {
                replayed: response?.headers.get('idempotent-replayed') === 'true',
                attempts: tally.attempts,
                lostResponses: tally.lost,
              });
            }
            attemptsByOp.delete(op.id);
            observer.next(envelope);
          },
          error(error) {
            if (!error.data) tally.lost++;
            observer.error(error);
          },
          complete: () => observer.complete(),
        });
      });
  };
}
