import { createTRPCClient, httpLink, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from 'demo-server';
import superjson from 'superjson';
import { getGuardrailsError } from 'trpc-guardrails/client';

/** How one request of the storm ended, as the client saw it. */
export type RequestOutcome =
  | 'executed'
  | 'replayed'
  | 'lost'
  | 'limited'
  | 'conflict'
  | 'server-error'
  | 'error';

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

/** A payment request's answer, as far as the storm acts on it. */
export type PaymentAnswer =
  | { outcome: 'executed' | 'replayed'; status: 200; chargeId: string }
  | { outcome: 'limited' | 'conflict'; status: number; retryAfter: number }
  | { outcome: Exclude<RequestOutcome, 'executed' | 'replayed' | 'limited' | 'conflict'>; status?: number };

/** Sends one `checkout.pay` request and says how it ended; never throws for an HTTP answer. */
export async function sendPayment(
  client: StormClient,
  input: { amountCents: number; idempotencyKey: string },
  headers: Record<string, string>,
): Promise<PaymentAnswer> {
  let replayed = false;
  const context: StormCallContext = {
    headers,
    onResponse: (response) => (replayed = response.headers.get('idempotent-replayed') === 'true'),
  };
  try {
    const payment = await client.checkout.pay.mutate(input, { context });
    return { outcome: replayed ? 'replayed' : 'executed', status: 200, chargeId: payment.chargeId };
  } catch (error) {
    const guardrails = getGuardrailsError(error);
    const status = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
    if (status === undefined) return { outcome: 'lost' };
    if (guardrails?.kind === 'rate-limit') {
      return { outcome: 'limited', status, retryAfter: guardrails.retryAfter };
    }
    if (status >= 500) return { outcome: 'server-error', status };
    if (status === 409) {
      const retryAfter = guardrails?.kind === 'idempotency' ? (guardrails.retryAfter ?? 1) : 1;
      return { outcome: 'conflict', status, retryAfter };
    }
    return { outcome: 'error', status };
  }
}
