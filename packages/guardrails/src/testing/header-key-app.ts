import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient } from '@trpc/client';
import { initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';
import { z } from 'zod';
import { guardrailsErrorFormatter } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fromHeader } from '../idempotency/from-header.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import type { GuardrailsStore } from '../stores/types.js';
import { listenOnLoopback } from './listen-on-loopback.js';
import type { Adapter } from './test-app.js';

/** The adapter's request sits in the context as `req`, where `fromHeader` reads it by default. */
export interface HeaderKeyContext {
  req?: Request | IncomingMessage;
  userId?: string;
  resHeaders?: Headers;
  res?: ServerResponse;
}

/**
 * A payment API whose procedures take their idempotency key from the `Idempotency-Key` header,
 * with counters that show how often each handler really ran.
 */
export function createHeaderKeyApp(options: { store: GuardrailsStore; prefix: string; ipLimit?: number }) {
  const events: GuardrailsEvent[] = [];
  const executions = { pay: 0, refund: 0, maybe: 0, limited: 0 };
  const gates = new Map<string, Promise<void>>();
  const t = initTRPC
    .context<HeaderKeyContext>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const guard = createGuardrails<HeaderKeyContext>()({
    store: options.store,
    prefix: options.prefix,
    scopes: { ip: { limiter: fixedWindow(options.ipLimit ?? 1000, '1 h'), identify: () => '127.0.0.1' } },
    idempotency: { owner: ({ ctx }) => ctx.userId ?? 'anonymous' },
    headers: ({ ctx }) => ctx.resHeaders ?? ctx.res,
    onEvent: (event) => events.push(event),
  });
  const procedure = guard.procedure(t.procedure);
  const idempotencyKey = fromHeader('Idempotency-Key');
  const amount = z.object({ amountCents: z.number().int().positive() }).strict();

  const router = t.router({
    pay: procedure
      .idempotent({ key: idempotencyKey })
      .input(amount)
      .mutation(async ({ input, ctx }) => {
        executions.pay++;
        await gates.get(ctx.idempotency.key);
        return { paymentId: `pay_${executions.pay}`, key: ctx.idempotency.key, at: new Date(), ...input };
      }),
    refund: procedure
      .idempotent({ key: idempotencyKey, concurrent: 'reject' })
      .input(amount)
      .mutation(async ({ input, ctx }) => {
        executions.refund++;
        await gates.get(ctx.idempotency.key);
        if (input.amountCents === 13) throw new TRPCError({ code: 'PAYMENT_REQUIRED', message: 'declined' });
        return { refundId: `re_${executions.refund}`, key: ctx.idempotency.key };
      }),
    maybe: procedure
      .idempotent({ key: idempotencyKey, required: false })
      .input(amount)
      .mutation(({ ctx }) => {
        executions.maybe++;
        return { key: ctx.idempotency.key ?? null };
      }),
    limited: procedure
      .rateLimited('ip')
      .idempotent({ key: idempotencyKey })
      .mutation(() => ++executions.limited),
  });

  /** Holds the handlers of `key` until the returned function is called. */
  function gate(key: string): () => void {
    let open!: () => void;
    gates.set(key, new Promise<void>((resolve) => (open = resolve)));
    return () => open();
  }
  return { router, events, executions, gate };
}

export type HeaderKeyRouter = ReturnType<typeof createHeaderKeyApp>['router'];

/** Serves the router over real HTTP, with the adapter's request in the context. */
export async function serveWithRequest(
  router: HeaderKeyRouter,
  adapter: Adapter,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server =
    adapter === 'fetch'
      ? createServer(
          (await import('./fetch-bridge.js')).toNodeListener((req) =>
            fetchRequestHandler({
              endpoint: '/trpc',
              req,
              router,
              createContext: ({ req: request, resHeaders }) => ({
                req: request,
                resHeaders,
                userId: request.headers.get('x-user') ?? undefined,
              }),
            }),
          ),
        )
      : createServer(
          createHTTPHandler({
            router,
            basePath: '/trpc/',
            createContext: ({ req, res }) => ({
              req,
              res,
              userId: (req.headers['x-user'] as string | undefined) ?? undefined,
            }),
          }),
        );
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/trpc`, close };
}

/** A typed client sending fixed headers; `lastHeaders` holds the latest response's headers. */
export function headerClient(url: string, headers: Record<string, string>, batch = false) {
  const state: { lastHeaders: Headers | undefined; requests: number } = {
    lastHeaders: undefined,
    requests: 0,
  };
  const client: TRPCClient<HeaderKeyRouter> = createTRPCClient<HeaderKeyRouter>({
    links: [
      (batch ? httpBatchLink : httpLink)({
        url,
        transformer: superjson,
        headers: () => headers,
        fetch: async (input, init) => {
          state.requests++;
          const response = await fetch(input as string, init as RequestInit);
          state.lastHeaders = response.headers;
          return response;
        },
      }),
    ],
  });
  return { client, state };
}
