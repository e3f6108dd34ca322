import { createServer, type Server } from 'node:http';
import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient } from '@trpc/client';
import { type AnyTRPCRouter, initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';
import { z } from 'zod';
import { guardrailsErrorFormatter } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import type { IdempotencyConfig } from '../idempotency/options.js';
import { fixedWindow, tokenBucket } from '../rate-limit/algorithms.js';
import type { GuardrailsStore } from '../stores/types.js';
import { listenOnLoopback } from './listen-on-loopback.js';

export type Adapter = 'fetch' | 'standalone';

export interface TestContext {
  ip: string;
  userId?: string;
  tenantId?: string;
  resHeaders?: Headers;
  res?: import('node:http').ServerResponse;
}

export interface TestAppOptions {
  store: GuardrailsStore;
  prefix: string;
  idempotency?: IdempotencyConfig<TestContext>;
  /** Limits of the `ip`, `user` and `tenant` scopes. */
  limits?: { ip?: number; user?: number; tenant?: number };
  tenantOnStoreError?: 'allow' | 'deny';
  timeout?: `${number} ms`;
  /** Also gets every event (after the app's own list), e.g. `otelEvents()`. */
  onEvent?: (event: GuardrailsEvent) => void;
}

/**
 * A small shop API guarded the way the README recommends, with counters that show how often
 * each handler really ran. Used by the scenario tests of every store and adapter.
 */
export function createTestApp(options: TestAppOptions) {
  const events: GuardrailsEvent[] = [];
  const executions = { charge: 0, slow: 0, failing: 0, webhook: 0, unkeyed: 0 };
  const gates = new Map<string, Promise<void>>();
  const t = initTRPC
    .context<TestContext>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const { limits = {} } = options;
  const guard = createGuardrails<TestContext>()({
    store: options.store,
    prefix: options.prefix,
    scopes: {
      ip: {
        limiter: fixedWindow(limits.ip ?? 1000, '1 h'),
        identify: ({ ctx }) => ctx.ip,
        timeout: options.timeout,
      },
      user: {
        limiter: fixedWindow(limits.user ?? 1000, '1 h'),
        identify: ({ ctx }) => ctx.userId,
        timeout: options.timeout,
      },
      tenant: {
        limiter: tokenBucket(1, '2 h', limits.tenant ?? 1000),
        identify: ({ ctx }) => ctx.tenantId,
        onStoreError: options.tenantOnStoreError ?? 'allow',
        timeout: options.timeout,
      },
    },
    idempotency: {
      owner: ({ ctx }) => ctx.userId ?? ctx.ip,
      timeout: options.timeout,
      ...options.idempotency,
    },
    headers: ({ ctx }) => ctx.resHeaders ?? ctx.res,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  const procedure = guard.procedure(t.procedure);
  const chargeInput = z.object({ customerId: z.string(), amountCents: z.number().int().positive() }).strict();

  const router = t.router({
    charge: procedure
      .rateLimited(['ip', 'user', 'tenant'])
      .idempotent()
      .input(chargeInput)
      .mutation(async ({ input, ctx }) => {
        executions.charge++;
        if (input.customerId === 'gate') await gates.get(ctx.idempotency.key);
        if (input.customerId === 'boom')
          throw new TRPCError({ code: 'PAYMENT_REQUIRED', message: 'card declined' });
        if (input.customerId === 'crash') throw new Error('provider exploded');
        return {
          chargeId: `ch_${executions.charge}`,
          key: ctx.idempotency.key,
          token: ctx.idempotency.token,
          amount: BigInt(input.amountCents),
          createdAt: new Date(),
          tags: new Set(['a', 'b']),
          meta: new Map<string, unknown>([['n', 1]]),
          nothing: undefined,
          pattern: /in_\d+/g,
        };
      }),
    limitedOnly: procedure
      .rateLimited('ip', { cost: 2 })
      .input(z.object({ n: z.number() }).optional())
      .query(() => 'ok' as const),
    webhook: procedure
      .idempotent({
        key: ({ rawInput }) => (rawInput as { eventId?: string } | undefined)?.eventId,
        owner: () => 'payment-provider',
      })
      .input(z.object({ eventId: z.string(), amount: z.number() }))
      .mutation(({ input }) => {
        executions.webhook++;
        return { received: input.eventId };
      }),
    unkeyed: procedure
      .rateLimited('user')
      .idempotent({ concurrent: 'reject', cacheError: (error) => error.code !== 'SERVICE_UNAVAILABLE' })
      .use(({ ctx, next }) => {
        if (ctx.userId === 'banned') throw new TRPCError({ code: 'FORBIDDEN', message: 'banned' });
        return next();
      })
      .input(z.object({ note: z.string().min(1) }))
      .mutation(async ({ input, ctx }) => {
        executions.unkeyed++;
        if (input.note === 'gate') await gates.get(ctx.idempotency.key);
        if (input.note === 'flaky')
          throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'try later' });
        return { note: input.note };
      }),
  });

  /** Holds handlers with `customerId: 'gate'` / `note: 'gate'` for `key` until the returned function is called. */
  function gate(key: string): () => void {
    let open!: () => void;
    gates.set(key, new Promise<void>((resolve) => (open = resolve)));
    return () => open();
  }

  return { router, events, executions, gate, guard };
}

export type TestRouter = ReturnType<typeof createTestApp>['router'];

/** Serves the router (the test app's, or any other on `TestContext`) over real HTTP with the chosen adapter. */
export async function serve(
  router: AnyTRPCRouter,
  adapter: Adapter,
  limits: { maxBodySize?: number; maxBatchSize?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const contextFrom = (headers: { get(name: string): string | null }) => ({
    ip: headers.get('x-ip') ?? '127.0.0.1',
    userId: headers.get('x-user') ?? undefined,
    tenantId: headers.get('x-tenant') ?? undefined,
  });
  const server: Server =
    adapter === 'fetch'
      ? createServer(
          (await import('./fetch-bridge.js')).toNodeListener((req) =>
            fetchRequestHandler({
              endpoint: '/trpc',
              req,
              router,
              maxBatchSize: limits.maxBatchSize,
              createContext: ({ req: request, resHeaders }) => ({
                ...contextFrom(request.headers),
                resHeaders,
              }),
            }),
          ),
        )
      : createServer(
          createHTTPHandler({
            router,
            basePath: '/trpc/',
            maxBodySize: limits.maxBodySize,
            maxBatchSize: limits.maxBatchSize,
            createContext: ({ req, res }) => ({
              ...contextFrom({ get: (name) => (req.headers[name] as string | undefined) ?? null }),
              res,
            }),
          }),
        );
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/trpc`, close };
}

/** A typed client; `lastHeaders` holds the response headers of the latest request. */
export function createClient(url: string, headers: Record<string, string> = {}, batch = false) {
  const state: { lastHeaders: Headers | undefined; requests: number } = {
    lastHeaders: undefined,
    requests: 0,
  };
  const link = (batch ? httpBatchLink : httpLink)({
    url,
    transformer: superjson,
    headers: () => headers,
    fetch: async (input, init) => {
      state.requests++;
      const response = await fetch(input as string, init as RequestInit);
      state.lastHeaders = response.headers;
      return response;
    },
  });
  const client: TRPCClient<TestRouter> = createTRPCClient<TestRouter>({ links: [link] });
  return { client, state };
}
