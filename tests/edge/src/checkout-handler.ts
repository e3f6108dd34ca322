import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Redis } from '@upstash/redis';
import superjson from 'superjson';
import {
  createGuardrails,
  guardrailsErrorFormatter,
  ipScope,
  lazyStore,
  type PlatformOption,
  slidingWindow,
} from 'trpc-guardrails';
import { upstashStore } from 'trpc-guardrails/upstash';
import { z } from 'zod';

/** What the edge function gets with every request (Workers bindings, or the test's stand-in). */
export interface CheckoutEnv {
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

/** `ctx.waitUntil` of the platform: keeps background store calls alive past the response. */
export type WaitUntil = (task: Promise<unknown>) => void;

interface Context {
  ip: string | undefined;
  /** A test shortcut (`x-user`); a real app reads its session. */
  userId: string | undefined;
  resHeaders: Headers;
  waitUntil: WaitUntil;
}

/** The per-user limit the edge tests run into. */
export const USER_LIMIT = 3;

/**
 * The fetch-adapter router of the README's Workers recipe: guard + `upstashStore` over HTTP,
 * `lazyStore` because the environment arrives with the first request, `waitUntil` for work that
 * outlives the response. `runtime` names where it runs, so tests can tell it never ran in Node.
 */
export function createCheckoutHandler(options: {
  createRedis: (env: CheckoutEnv) => Redis;
  platform: PlatformOption;
  runtime: () => string;
}) {
  let redis: Redis | undefined;
  const t = initTRPC
    .context<Context>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const guard = createGuardrails<Context>()({
    store: lazyStore(() => upstashStore(redis!)),
    prefix: 'edge-tests',
    scopes: {
      ip: ipScope({ limiter: slidingWindow(100, '10 s'), address: ({ ctx }) => ctx.ip }),
      user: { limiter: slidingWindow(USER_LIMIT, '10 s'), identify: ({ ctx }) => ctx.userId },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId ?? ctx.ip ?? 'anonymous' },
    headers: ({ ctx }) => ctx.resHeaders,
    waitUntil: (task, { ctx }) => ctx.waitUntil(task),
  });
  const callerAddress = guard.clientAddress({ platform: options.platform });
  const router = t.router({
    pay: guard
      .procedure(t.procedure)
      .rateLimited(['ip', 'user'])
      .idempotent()
      .input(z.object({ amountCents: z.number().int().positive() }).strict())
      .mutation(async ({ input, ctx }) => {
        // Counted in Redis, so the test sees every execution whichever isolate ran it.
        const executions = await redis!.incr(`edge-tests:executions:${ctx.userId}:${ctx.idempotency.key}`);
        await new Promise((resolve) => setTimeout(resolve, 150)); // long enough for duplicates to overlap
        return {
          chargeId: `ch_${ctx.idempotency.token}`,
          amountCents: input.amountCents,
          chargedAt: new Date(),
          executions,
          runtime: options.runtime(),
        };
      }),
  });

  return function handleCheckout(req: Request, env: CheckoutEnv, waitUntil: WaitUntil): Promise<Response> {
    redis ??= options.createRedis(env);
    return fetchRequestHandler({
      endpoint: '/trpc',
      req,
      router,
      maxBatchSize: 10,
      createContext: ({ resHeaders }) => {
        resHeaders.set('X-Edge-Runtime', options.runtime());
        return {
          ip: callerAddress(req),
          userId: req.headers.get('x-user') ?? undefined,
          resHeaders,
          waitUntil,
        };
      },
    });
  };
}
