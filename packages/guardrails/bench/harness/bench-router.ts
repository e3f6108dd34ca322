import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import {
  createGuardrails,
  fixedWindow,
  type GuardrailsStore,
  type ScopeConfig,
  slidingWindow,
  tokenBucket,
} from '../../src/index.js';
import { UNLIMITED } from './settings.js';

/** The context every bench server builds: who calls, as the README's scopes read it. */
export interface BenchContext {
  ip: string;
  userId: string;
  tenantId: string;
}

export const BENCH_CONTEXT: BenchContext = { ip: '203.0.113.7', userId: 'u_1', tenantId: 't_1' };

const SCALE_SCOPES = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'] as const;

/** Ten scopes for the scale table, the three algorithms in turn, one identifier each. */
function scaleScopes(): Record<(typeof SCALE_SCOPES)[number], ScopeConfig<BenchContext>> {
  const limiters = [
    slidingWindow(UNLIMITED, '60 s'),
    fixedWindow(UNLIMITED, '60 s'),
    tokenBucket(UNLIMITED, '60 s', UNLIMITED),
  ];
  return Object.fromEntries(
    SCALE_SCOPES.map((name, index) => [
      name,
      {
        limiter: limiters[index % 3]!,
        identify: ({ ctx }: { ctx: BenchContext }) => `${ctx.userId}-${index}`,
      },
    ]),
  ) as unknown as Record<(typeof SCALE_SCOPES)[number], ScopeConfig<BenchContext>>;
}

export interface BenchRouterOptions {
  /** What every handler returns for input `n`. @default `{ n, at: new Date() }` */
  result?: (n: number) => unknown;
  /** Key namespace; a fresh one per router keeps runs apart on a shared Redis. */
  prefix?: string;
  /** `createGuardrails({ replayCache })`. @default false */
  replayCache?: boolean;
  /** `denialCache` on the `once` and `burst` scopes. @default false */
  denialCache?: boolean;
  /**
   * One raw store round trip, for the unguarded procedures that make `trips` of them in the
   * handler: a floor measured in one call, waits included. @default none (they refuse)
   */
  roundTrip?: () => Promise<unknown>;
}

/**
 * The procedures the latency, throughput and scale tables call: the same handler unguarded and
 * behind each guard the DESIGN.md cost table names, on the README's scopes (limits no bench
 * reaches), plus a scope that refuses every call after the first, one that allows 10 calls a second, and
 * 10 scopes for scale.
 */
export function createBenchRouter(store: GuardrailsStore, options: BenchRouterOptions = {}) {
  const {
    result = (n: number) => ({ n, at: new Date() }),
    replayCache = false,
    denialCache = false,
    roundTrip = () => Promise.reject(new Error('createBenchRouter({ roundTrip }) is not set')),
  } = options;
  const roundTrips = async (trips: number) => {
    for (let i = 0; i < trips; i++) await roundTrip();
  };
  const prefix = options.prefix ?? `bench${Math.random().toString(36).slice(2, 8)}`;
  // As a production server runs (NODE_ENV=production): error answers carry no stack.
  const t = initTRPC.context<BenchContext>().create({ transformer: superjson, isDev: false });
  const guard = createGuardrails<BenchContext>()({
    store,
    prefix,
    replayCache,
    scopes: {
      ip: { limiter: slidingWindow(UNLIMITED, '10 s'), identify: ({ ctx }) => ctx.ip },
      user: { limiter: slidingWindow(UNLIMITED, '60 s'), identify: ({ ctx }) => ctx.userId },
      tenant: { limiter: tokenBucket(UNLIMITED, '60 s', UNLIMITED), identify: ({ ctx }) => ctx.tenantId },
      once: { limiter: fixedWindow(1, '1 h'), identify: ({ ctx }) => ctx.ip, denialCache },
      burst: { limiter: slidingWindow(10, '1 s'), identify: ({ ctx }) => ctx.ip, denialCache },
      ...scaleScopes(),
    },
    idempotency: { owner: ({ ctx }) => ctx.userId },
  });
  const procedure = guard.procedure(t.procedure);
  const input = z.object({ n: z.number() });
  const handler = async ({ input: { n } }: { input: { n: number } }) => result(n);
  const router = t.router({
    plain: t.procedure
      .input(z.object({ n: z.number(), idempotencyKey: z.string().optional() }))
      .mutation(handler),
    /** The unguarded call answering 429, as a refused call does: the floor of a refusal. */
    plainRefused: t.procedure
      .input(z.object({ n: z.number(), idempotencyKey: z.string().optional() }))
      .mutation(() => {
        throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Refused without a guard' });
      }),
    /** The unguarded call after `trips` raw store round trips in its handler. */
    plainAfterTrips: t.procedure
      .input(z.object({ n: z.number(), trips: z.number(), idempotencyKey: z.string().optional() }))
      .mutation(async ({ input: { n, trips } }) => {
        await roundTrips(trips);
        return result(n);
      }),
    /** The unguarded 429 after one raw store round trip in its handler. */
    plainRefusedAfterTrip: t.procedure
      .input(z.object({ n: z.number(), idempotencyKey: z.string().optional() }))
      .mutation(async () => {
        await roundTrips(1);
        throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Refused without a guard' });
      }),
    /** The unguarded call behind one tRPC middleware that does nothing: what any middleware costs. */
    emptyMiddleware: t.procedure
      .use(function emptyMiddleware({ next }) {
        return next();
      })
      .input(z.object({ n: z.number(), idempotencyKey: z.string().optional() }))
      .mutation(handler),
    threeScopes: procedure.rateLimited(['ip', 'user', 'tenant']).input(input).mutation(handler),
    idempotent: procedure.idempotent().input(input).mutation(handler),
    guarded: procedure.rateLimited(['ip', 'user', 'tenant']).idempotent().input(input).mutation(handler),
    denied: procedure.rateLimited('once').idempotent().input(input).mutation(handler),
    bursty: procedure.rateLimited('burst').input(input).mutation(handler),
    scopes1: procedure.rateLimited('s0').input(input).mutation(handler),
    scopes3: procedure.rateLimited(['s0', 's1', 's2']).input(input).mutation(handler),
    scopes10: procedure
      .rateLimited(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'])
      .input(input)
      .mutation(handler),
  });
  return { router, guard, caller: t.createCallerFactory(router)(BENCH_CONTEXT) };
}

export type BenchRouter = ReturnType<typeof createBenchRouter>['router'];
