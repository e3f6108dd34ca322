import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import { createGuardrails } from '../guard/create-guardrails.js';
import { slidingWindow, tokenBucket } from '../rate-limit/algorithms.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import type { GuardrailsStore } from '../stores/types.js';

type Ctx = { ip: string; userId: string; tenantId: string };

/** Procedures for each row of the DESIGN.md cost table, called through `createCaller`. */
export function createCostRouter(store: GuardrailsStore) {
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const guard = createGuardrails<Ctx>()({
    store,
    prefix: uniquePrefix('cost'),
    scopes: {
      ip: { limiter: slidingWindow(1_000_000, '10 s'), identify: ({ ctx }) => ctx.ip },
      user: { limiter: slidingWindow(1_000_000, '60 s'), identify: ({ ctx }) => ctx.userId },
      tenant: { limiter: tokenBucket(1_000_000, '60 s', 1_000_000), identify: ({ ctx }) => ctx.tenantId },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId },
  });
  const procedure = guard.procedure(t.procedure);
  const input = z.object({ n: z.number() });
  const handler = async ({ input: { n } }: { input: { n: number } }) => ({ n, at: new Date() });
  const router = t.router({
    oneScope: procedure.rateLimited('ip').input(input).mutation(handler),
    twoScopes: procedure.rateLimited(['ip', 'user']).input(input).mutation(handler),
    threeScopes: procedure.rateLimited(['ip', 'user', 'tenant']).input(input).mutation(handler),
    idempotent: procedure.idempotent().input(input).mutation(handler),
    guarded: procedure.rateLimited(['ip', 'user', 'tenant']).idempotent().input(input).mutation(handler),
  });
  return t.createCallerFactory(router)({ ip: '203.0.113.7', userId: 'u_1', tenantId: 't_1' });
}

export interface CostRow {
  call: string;
  handWritten: string;
  target: number;
  measured: number;
}

/**
 * Measures store round trips (HTTP requests the gateway served) for each row of the cost table.
 * Every script is warmed up first, so figures are steady state.
 */
export async function measureRoundTrips(store: GuardrailsStore, requests: () => number): Promise<CostRow[]> {
  const caller = createCostRouter(store);
  const count = async (run: () => Promise<unknown>) => {
    const before = requests();
    await run();
    return requests() - before;
  };
  // Warm-up: the first use of each script on a fresh Redis costs an extra EVAL.
  await caller.threeScopes({ n: 0 });
  await caller.guarded({ n: 0, idempotencyKey: `warm-${Math.random()}` } as never);

  const key1 = `k-${Math.random()}`;
  const key2 = `k-${Math.random()}`;
  return [
    {
      call: 'rate limit, 1 scope',
      handWritten: '1',
      target: 1,
      measured: await count(() => caller.oneScope({ n: 1 })),
    },
    {
      call: 'rate limit, 2 scopes',
      handWritten: '2 (sequential)',
      target: 1,
      measured: await count(() => caller.twoScopes({ n: 1 })),
    },
    {
      call: 'rate limit, 3 scopes',
      handWritten: '3 (sequential)',
      target: 1,
      measured: await count(() => caller.threeScopes({ n: 1 })),
    },
    {
      call: 'idempotent, first execution',
      handWritten: '2, racy',
      target: 2,
      measured: await count(() => caller.idempotent({ n: 1, idempotencyKey: key1 })),
    },
    {
      call: 'idempotent, replay',
      handWritten: '1',
      target: 1,
      measured: await count(() => caller.idempotent({ n: 1, idempotencyKey: key1 })),
    },
    {
      call: '3 scopes + idempotent, first execution',
      handWritten: '5',
      target: 2,
      measured: await count(() => caller.guarded({ n: 1, idempotencyKey: key2 })),
    },
    {
      call: '3 scopes + idempotent, replay',
      handWritten: '4',
      target: 1,
      measured: await count(() => caller.guarded({ n: 1, idempotencyKey: key2 })),
    },
  ];
}

export function formatCostTable(rows: CostRow[]): string {
  const lines = ['| call | hand-written | target | measured |', '|---|---|---|---|'];
  for (const row of rows)
    lines.push(`| ${row.call} | ${row.handWritten} | ${row.target} | ${row.measured} |`);
  return lines.join('\n');
}
