import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fixedWindow, slidingWindow, tokenBucket } from '../rate-limit/algorithms.js';
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
      once: { limiter: fixedWindow(1, '1 h'), identify: ({ ctx }) => ctx.ip },
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
    onceGuarded: procedure.rateLimited('once').idempotent().input(input).mutation(handler),
  });
  return t.createCallerFactory(router)({ ip: '203.0.113.7', userId: 'u_1', tenantId: 't_1' });
}

export interface CostRow {
  call: string;
  handWritten: string;
  target: number;
  measured: number;
  /** Store requests per node for this call, when the backend has several (`host:port ×n`). */
  perNode?: string;
}

/** Counts a store's requests; `perNode` says how one call's requests spread over nodes. */
export interface RequestCounter {
  requests(): number;
  perNode?(): Map<string, number>;
}

/** Targets that differ on a Redis Cluster, where one call's keys live in several slots. */
export interface CostTargets {
  /** A call refused by a limit while its claim (in another slot) was taken: released after. */
  limitDenied: number;
}

/**
 * Measures store round trips (HTTP requests the gateway served) for each row of the cost table.
 * Every script is warmed up first, so figures are steady state.
 */
export async function measureRoundTrips(
  store: GuardrailsStore,
  counter: (() => number) | RequestCounter,
  targets: CostTargets = { limitDenied: 1 },
): Promise<CostRow[]> {
  const { requests, perNode } =
    typeof counter === 'function' ? { requests: counter, perNode: undefined } : counter;
  const caller = createCostRouter(store);
  let lastPerNode: string | undefined;
  const count = async (run: () => Promise<unknown>) => {
    const before = requests();
    const nodesBefore = perNode?.();
    await run().catch(() => undefined);
    // Work the answer left behind (a release) counts too.
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (nodesBefore) lastPerNode = spread(nodesBefore, perNode!());
    return requests() - before;
  };
  const row = async (call: string, handWritten: string, target: number, run: () => Promise<unknown>) => {
    const measured = await count(run);
    return {
      call,
      handWritten,
      target,
      measured,
      ...(lastPerNode !== undefined && { perNode: lastPerNode }),
    };
  };
  // Warm-up: the first use of each script on a fresh Redis costs an extra EVAL.
  await caller.threeScopes({ n: 0 });
  await caller.guarded({ n: 0, idempotencyKey: `warm-${Math.random()}` } as never);

  const key1 = `k-${Math.random()}`;
  const key2 = `k-${Math.random()}`;
  await caller.onceGuarded({ n: 0, idempotencyKey: `warm-${Math.random()}` } as never);
  const denied = `k-${Math.random()}`;
  return [
    await row('rate limit, 1 scope', '1', 1, () => caller.oneScope({ n: 1 })),
    await row('rate limit, 2 scopes', '2 (sequential)', 1, () => caller.twoScopes({ n: 1 })),
    await row('rate limit, 3 scopes', '3 (sequential)', 1, () => caller.threeScopes({ n: 1 })),
    await row('idempotent, first execution', '2, racy', 2, () =>
      caller.idempotent({ n: 1, idempotencyKey: key1 }),
    ),
    await row('idempotent, replay', '1', 1, () => caller.idempotent({ n: 1, idempotencyKey: key1 })),
    await row('3 scopes + idempotent, first execution', '5', 2, () =>
      caller.guarded({ n: 1, idempotencyKey: key2 }),
    ),
    await row('3 scopes + idempotent, replay', '4', 1, () => caller.guarded({ n: 1, idempotencyKey: key2 })),
    await row('limit refuses an idempotent call', '1', targets.limitDenied, () =>
      caller.onceGuarded({ n: 1, idempotencyKey: denied } as never),
    ),
  ];
}

/** `127.0.0.1:7001 ×1, 127.0.0.1:7002 ×1`: requests per node between two snapshots. */
function spread(before: Map<string, number>, after: Map<string, number>): string {
  const parts: string[] = [];
  for (const [node, total] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
    const delta = total - (before.get(node) ?? 0);
    if (delta > 0) parts.push(`${node.replace('127.0.0.1:', ':')} ×${delta}`);
  }
  return parts.join(', ');
}

export function formatCostTable(rows: CostRow[]): string {
  const nodes = rows.some((row) => row.perNode !== undefined);
  const lines = [
    `| call | hand-written | target | measured |${nodes ? ' per node (sent at once) |' : ''}`,
    `|---|---|---|---|${nodes ? '---|' : ''}`,
  ];
  for (const row of rows)
    lines.push(
      `| ${row.call} | ${row.handWritten} | ${row.target} | ${row.measured} |${nodes ? ` ${row.perNode ?? ''} |` : ''}`,
    );
  return lines.join('\n');
}
