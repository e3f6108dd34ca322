/**
 * Latency of a guarded mutation vs. the usual hand-written pattern, over real HTTP to a real
 * redis-server behind upstash-local with added latency per request (the distance from an edge
 * function to a hosted Redis). Prints medians, ratios and round trips; asserts nothing.
 *
 *   pnpm --filter trpc-guardrails bench            (LATENCY_MS=20 RUNS=40 by default)
 */
import { initTRPC } from '@trpc/server';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import superjson from 'superjson';
import { startUpstashLocal } from 'upstash-local';
import { afterAll, beforeAll, it } from 'vitest';
import { z } from 'zod';
import { createGuardrails } from '../src/guard/create-guardrails.js';
import { slidingWindow, tokenBucket } from '../src/rate-limit/algorithms.js';
import { upstashStore } from '../src/stores/upstash/upstash-store.js';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 20);
const RUNS = Number(process.env.RUNS ?? 40);
type Ctx = { ip: string; userId: string; tenantId: string };
let gateway: Awaited<ReturnType<typeof startUpstashLocal>>;

beforeAll(async () => {
  gateway = await startUpstashLocal({ latencyMs: LATENCY_MS });
});
afterAll(() => gateway.stop());

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function measure(run: (i: number) => Promise<unknown>) {
  const times: number[] = [];
  const before = gateway.stats().requests;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  return { median: median(times), roundTrips: (gateway.stats().requests - before) / RUNS };
}

it('prints medians for the hand-written pattern and the guarded builder', async () => {
  const redis = new Redis({ url: gateway.url, token: gateway.token });
  const ctx: Ctx = { ip: '203.0.113.7', userId: 'u_1', tenantId: 't_1' };
  const handler = async ({ input }: { input: { amountCents: number } }) => ({
    amount: input.amountCents,
    at: new Date(),
  });

  // The hand-written version from DESIGN.md: three limiters awaited in turn, then GET, run, SET.
  const limiters = [
    new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(1e6, '10 s'),
      prefix: 'hw:ip',
      ephemeralCache: false,
    }),
    new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(1e6, '60 s'),
      prefix: 'hw:user',
      ephemeralCache: false,
    }),
    new Ratelimit({
      redis,
      limiter: Ratelimit.tokenBucket(1e6, '60 s', 1e6),
      prefix: 'hw:tenant',
      ephemeralCache: false,
    }),
  ];
  async function handWritten(key: string, amountCents: number) {
    for (const [limiter, id] of [
      [limiters[0]!, ctx.ip],
      [limiters[1]!, ctx.userId],
      [limiters[2]!, ctx.tenantId],
    ] as const) {
      if (!(await limiter.limit(id)).success) throw new Error('limited');
    }
    // @upstash/redis parses JSON strings on read, so the superjson envelope comes back as an object.
    const cached = await redis.get<Parameters<typeof superjson.deserialize>[0]>(
      `hw:idem:${ctx.userId}:${key}`,
    );
    if (cached) return superjson.deserialize(cached);
    const result = await handler({ input: { amountCents } });
    await redis.set(`hw:idem:${ctx.userId}:${key}`, superjson.stringify(result), { ex: 86_400 });
    return result;
  }

  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const guard = createGuardrails<Ctx>()({
    store: upstashStore(redis),
    prefix: 'bench',
    scopes: {
      ip: { limiter: slidingWindow(1e6, '10 s'), identify: ({ ctx }) => ctx.ip },
      user: { limiter: slidingWindow(1e6, '60 s'), identify: ({ ctx }) => ctx.userId },
      tenant: { limiter: tokenBucket(1e6, '60 s', 1e6), identify: ({ ctx }) => ctx.tenantId },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId },
  });
  const router = t.router({
    pay: guard
      .procedure(t.procedure)
      .rateLimited(['ip', 'user', 'tenant'])
      .idempotent()
      .input(z.object({ amountCents: z.number() }))
      .mutation(handler),
  });
  const caller = t.createCallerFactory(router)(ctx);

  // Warm up both (first script use costs an EVAL).
  await handWritten('warm', 1);
  await caller.pay({ idempotencyKey: 'warm', amountCents: 1 });

  const rows = [
    ['hand-written, first execution', await measure((i) => handWritten(`a${i}`, 1))],
    [
      'guarded, first execution',
      await measure((i) => caller.pay({ idempotencyKey: `a${i}`, amountCents: 1 })),
    ],
    ['hand-written, replay', await measure((i) => handWritten(`a${i}`, 1))],
    ['guarded, replay', await measure((i) => caller.pay({ idempotencyKey: `a${i}`, amountCents: 1 }))],
  ] as const;
  const lines = [
    `3 rate-limit scopes + idempotency, ${RUNS} calls each, ${LATENCY_MS} ms added per HTTP request`,
    '| call | median ms | round trips |',
    '|---|---|---|',
    ...rows.map(([name, r]) => `| ${name} | ${r.median.toFixed(1)} | ${r.roundTrips} |`),
    `first execution: guarded is ${(rows[0][1].median / rows[1][1].median).toFixed(2)}x faster`,
    `replay: guarded is ${(rows[2][1].median / rows[3][1].median).toFixed(2)}x faster`,
  ];
  console.log(lines.join('\n'));
}, 120_000);
