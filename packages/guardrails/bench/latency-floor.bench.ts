/**
 * Table 1 — latency against the physical floor, over real HTTP: tRPC client → standalone server
 * → upstashStore → upstash-local (its own process, `latencyMs` added per request) → redis-server.
 * Floor = round trips × one raw store round trip (`EVAL "return 1"`, same client and gateway)
 * + the same call unguarded. Prints the tables; asserts nothing.
 */
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, it } from 'vitest';
import { slidingWindow, tokenBucket } from '../src/index.js';
import { CHECK_SCRIPT } from '../src/stores/lua/check.js';
import { limitArgs } from '../src/stores/lua/check-call.js';
import { upstashStore } from '../src/stores/upstash/index.js';
import { type Backend, startBackend } from './harness/backend.js';
import { type BenchRouter, createBenchRouter } from './harness/bench-router.js';
import { createCallBreakdown } from './harness/call-breakdown.js';
import type { Fragment } from './harness/fragments.js';
import { benchClient, serveRouter } from './harness/http-server.js';
import { interleave, requestsPerCall, type TimedRow } from './harness/interleave.js';
import type { Table } from './harness/markdown.js';
import { benchTimer, publish } from './harness/publish.js';
import { scriptCostInRedis } from './harness/script-cost.js';
import { SETTINGS, UNLIMITED } from './harness/settings.js';
import { count, median, ms, signed, us } from './harness/stats.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend(SETTINGS.latenciesMs);
}, 60_000);
afterAll(() => backend?.stop());

const ONE_TRIP = 'unguarded, 1 raw round trip in the handler';
const TWO_TRIPS = 'unguarded, 2 raw round trips in the handler';
const REFUSED_TRIP = 'unguarded 429 after 1 raw round trip in the handler';

/**
 * The guarded rows, with the round trips DESIGN.md targets, the unguarded call of their floor,
 * and the unguarded call that makes the same raw round trips itself (the floor in one call).
 */
const GUARDED = [
  { name: '3 scopes', target: 1, base: 'unguarded', measured: ONE_TRIP },
  { name: 'idempotent, first', target: 2, base: 'unguarded', measured: TWO_TRIPS },
  { name: 'idempotent, replay', target: 1, base: 'unguarded', measured: ONE_TRIP },
  { name: '3 scopes + idempotent, first', target: 2, base: 'unguarded', measured: TWO_TRIPS },
  { name: '3 scopes + idempotent, replay', target: 1, base: 'unguarded', measured: ONE_TRIP },
  // tRPC's error path (error shape, status, client-side error) costs more than a result.
  {
    name: 'limit-denied idempotent call',
    target: 1,
    base: 'unguarded, answering 429',
    measured: REFUSED_TRIP,
  },
] as const;

/** The limiters of the bench router's 3 scopes (`ip`, `user`, `tenant`). */
const THREE_LIMITERS = [
  slidingWindow(UNLIMITED, '10 s'),
  slidingWindow(UNLIMITED, '60 s'),
  tokenBucket(UNLIMITED, '60 s', UNLIMITED),
];

/** `CHECK_SCRIPT`'s arguments for those 3 scopes, as the store builds them. */
const THREE_LIMITS_ARGS = THREE_LIMITERS.flatMap((limiter) =>
  limitArgs({ prefix: '', identifier: '', limiter, cost: 1 }).map(String),
);

function deniedOnly(error: unknown): void {
  if (!(error instanceof TRPCClientError) || error.data?.code !== 'TOO_MANY_REQUESTS') throw error;
}

async function measureLatency(latencyMs: number) {
  const redis = backend.client(latencyMs);
  const gateway = backend.gateways.get(latencyMs)!;
  const breakdown = createCallBreakdown();
  const { router } = createBenchRouter(breakdown.timeStore(upstashStore(redis)), {
    roundTrip: () => redis.eval('return 1', [], []),
  });
  const server = await serveRouter(router, { onServed: (ms) => breakdown.served(ms) });
  const client = benchClient<BenchRouter>(server.url);
  const tag = `l${latencyMs}`;
  // The `once` scope allows one call an hour: spend it, so every timed call is refused.
  await client.denied.mutate({ n: 0, idempotencyKey: `${tag}-spend` });
  // The guard's own check script for 3 scopes, called directly: what a real script costs over
  // `return 1` (its Lua in redis-server, its arguments and reply through the gateway).
  const checkSha = await redis.scriptLoad(CHECK_SCRIPT);
  const checkKeys = [`${tag}:zz:a`, `${tag}:zz:b`, `${tag}:zz:c`];
  const checkArgs = ['3', ...THREE_LIMITS_ARGS];
  const rows: TimedRow[] = [
    { name: 'raw store round trip', run: () => redis.eval('return 1', [], []) },
    { name: 'check script round trip', run: () => redis.evalsha(checkSha, checkKeys, checkArgs) },
    { name: 'unguarded', run: (i) => client.plain.mutate({ n: 1, idempotencyKey: `${tag}-u-${i}` }) },
    {
      name: 'unguarded, answering 429',
      run: (i) => client.plainRefused.mutate({ n: 1, idempotencyKey: `${tag}-r-${i}` }).catch(deniedOnly),
    },
    {
      name: ONE_TRIP,
      run: (i) => client.plainAfterTrips.mutate({ n: 1, trips: 1, idempotencyKey: `${tag}-t1-${i}` }),
    },
    {
      name: TWO_TRIPS,
      run: (i) => client.plainAfterTrips.mutate({ n: 1, trips: 2, idempotencyKey: `${tag}-t2-${i}` }),
    },
    {
      name: REFUSED_TRIP,
      run: (i) =>
        client.plainRefusedAfterTrip.mutate({ n: 1, idempotencyKey: `${tag}-rt-${i}` }).catch(deniedOnly),
    },
    { name: '3 scopes', run: () => client.threeScopes.mutate({ n: 1 }) },
    {
      name: 'idempotent, first',
      run: (i) => client.idempotent.mutate({ n: 1, idempotencyKey: `${tag}-i-${i}` }),
    },
    {
      name: 'idempotent, replay',
      run: (i) => client.idempotent.mutate({ n: 1, idempotencyKey: `${tag}-i-${i}` }),
    },
    {
      name: '3 scopes + idempotent, first',
      run: (i) => client.guarded.mutate({ n: 1, idempotencyKey: `${tag}-g-${i}` }),
    },
    {
      name: '3 scopes + idempotent, replay',
      run: (i) => client.guarded.mutate({ n: 1, idempotencyKey: `${tag}-g-${i}` }),
    },
    {
      name: 'limit-denied idempotent call',
      run: (i) => client.denied.mutate({ n: 1, idempotencyKey: `${tag}-d-${i}` }).catch(deniedOnly),
    },
  ];
  const timings = await interleave(
    rows.map((row) => breakdown.row(row)),
    SETTINGS.floorCalls,
    2,
    SETTINGS.warmupMs,
  );
  const callTimes = new Map(rows.map((row) => [row.name, breakdown.last(row.name, SETTINGS.floorCalls)]));
  // Round trips in a pass of their own, each call followed by time for background work to show.
  const roundTrips = new Map<string, number>();
  for (const row of rows) {
    roundTrips.set(row.name, await requestsPerCall(gateway.requests, row.run, { settleMs: latencyMs + 40 }));
  }
  const cold = await coldStart(latencyMs);
  await server.close();
  return { timings, roundTrips, cold, callTimes };
}

/** The first guarded call of a new store on a Redis that knows no script yet. */
async function coldStart(latencyMs: number) {
  const redis = backend.client(latencyMs);
  await redis.scriptFlush();
  const { caller } = createBenchRouter(upstashStore(redis));
  const before = await backend.gateways.get(latencyMs)!.requests();
  const start = performance.now();
  await caller.guarded({ n: 1, idempotencyKey: `cold-${latencyMs}` });
  const elapsed = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, latencyMs + 40));
  return { requests: (await backend.gateways.get(latencyMs)!.requests()) - before, elapsed };
}

it('latency vs floor at 0, 5 and 20 ms added per store request', async () => {
  const elapsed = benchTimer();
  const results = new Map<number, Awaited<ReturnType<typeof measureLatency>>>();
  for (const latencyMs of SETTINGS.latenciesMs) results.set(latencyMs, await measureLatency(latencyMs));
  const scripts = await scriptCostInRedis(backend.redis.port, THREE_LIMITERS);

  const tables: Fragment['tables'] = [];
  const summary: Table = {
    head: [
      'call',
      'round trips (target)',
      ...SETTINGS.latenciesMs.map((l) => `distance to floor at ${l} ms`),
      ...SETTINGS.latenciesMs.map((l) => `distance to the floor measured in one call at ${l} ms`),
    ],
    rows: GUARDED.map(({ name, target, base, measured }) => [
      name,
      `${count(results.get(0)!.roundTrips.get(name)!)} (${target})`,
      ...SETTINGS.latenciesMs.map((latencyMs) => {
        const { timings, roundTrips } = results.get(latencyMs)!;
        const floor =
          roundTrips.get(name)! * timings.get('raw store round trip')!.median + timings.get(base)!.median;
        return `${signed(timings.get(name)!.median - floor)} ms`;
      }),
      ...SETTINGS.latenciesMs.map((latencyMs) => {
        const { timings } = results.get(latencyMs)!;
        return `${signed(timings.get(name)!.median - timings.get(measured)!.median)} ms`;
      }),
    ]),
  };
  tables.push({ caption: '**Summary: median − floor per row (goal ≤ +0.5 ms)**', table: summary });
  for (const latencyMs of SETTINGS.latenciesMs) {
    const { timings, roundTrips, cold } = results.get(latencyMs)!;
    const raw = timings.get('raw store round trip')!;
    const unguarded = timings.get('unguarded')!;
    const refused = timings.get('unguarded, answering 429')!;
    const script = timings.get('check script round trip')!;
    tables.push({
      caption: `**${latencyMs} ms added per store request** — one raw store round trip ${ms(raw.median)} ms (p95 ${ms(raw.p95)}), the same call unguarded ${ms(unguarded.median)} ms (p95 ${ms(unguarded.p95)}), answering 429 unguarded ${ms(refused.median)} ms (p95 ${ms(refused.p95)}); one round trip of the guard's check script for 3 scopes, called directly ${ms(script.median)} ms (p95 ${ms(script.p95)}); cold start (first 3 scopes + idempotent call of a new store after \`SCRIPT FLUSH\`): ${cold.requests} store requests, ${ms(cold.elapsed)} ms`,
      table: {
        head: [
          'call',
          'round trips',
          'median ms',
          'p95 ms',
          'floor ms',
          'median − floor',
          'per round trip over raw',
        ],
        rows: GUARDED.map(({ name, base }) => {
          const t = timings.get(name)!;
          const trips = roundTrips.get(name)!;
          const floor = trips * raw.median + timings.get(base)!.median;
          return [
            name,
            count(trips),
            ms(t.median),
            ms(t.p95),
            ms(floor),
            signed(t.median - floor),
            trips > 0 ? signed((t.median - floor) / trips) : '–',
          ];
        }),
      },
    });
  }
  tables.push({
    caption:
      "**Where the distance goes** (medians over the same timed calls, ms): the server's time for the request (arrival → `res.end()`), the part of it spent inside the guard's store calls, and the rest against the same for the unguarded call (for the refused row, the unguarded 429)",
    table: {
      head: [
        'call',
        'added ms',
        'client ms',
        'server ms',
        'in store calls ms',
        'server − store − unguarded server',
        'store − round trips × raw',
        'outside the server, over unguarded',
      ],
      rows: SETTINGS.latenciesMs.flatMap((latencyMs) => {
        const { timings, roundTrips, callTimes } = results.get(latencyMs)!;
        const raw = timings.get('raw store round trip')!.median;
        return GUARDED.map(({ name, base }) => {
          const calls = callTimes.get(name)!;
          const baseCalls = callTimes.get(base)!;
          const server = median(calls.map((call) => call.serverMs));
          const store = median(calls.map((call) => call.storeMs));
          const own = median(calls.map((call) => call.serverMs - call.storeMs));
          const baseServer = median(baseCalls.map((call) => call.serverMs));
          const outside = timings.get(name)!.median - server - (timings.get(base)!.median - baseServer);
          return [
            name,
            String(latencyMs),
            ms(timings.get(name)!.median),
            ms(server),
            ms(store),
            signed(own - baseServer),
            signed(store - roundTrips.get(name)! * raw),
            signed(outside),
          ];
        });
      }),
    },
  });
  await publish({
    id: 'latency-floor',
    title: '1. Latency against the floor (real HTTP, Upstash store)',
    method:
      'tRPC client (`httpLink`) → standalone server → `upstashStore` → upstash-local (own process) → redis-server, all on this machine. ' +
      `Each latency runs ${SETTINGS.floorCalls} interleaved rounds of every row, after ${SETTINGS.warmupMs / 1000} s of untimed rounds (a cold HTTP client and gateway answer 2–3× slower for their first few hundred requests). ` +
      'Floor = round trips × median of one raw store round trip (`EVAL "return 1"` through the same `@upstash/redis` client and gateway, from the server process) + median of the same call unguarded (same input, same client; for the refused row, an unguarded procedure that answers the same 429). ' +
      'Round trips are gateway HTTP requests per call, counted in a separate pass with time after each call for background work. ' +
      'The floor measured in one call: an unguarded procedure whose handler makes the same raw round trips itself (1 or 2 `EVAL "return 1"`, or 1 before answering 429), timed like the rest — a server and client that wait pay for it after the wait (caches gone cold while other work ran), and this floor pays that too.',
    tables,
    notes: [
      'A limit-denied idempotent call is the `once` scope (1 call an hour) after its one call is spent: it answers 429.',
      "Where the distance goes: 'server − store − unguarded server' is the guard's own work on the server (planning, deciding, encoding, tRPC's extra middleware); 'store − round trips × raw' is what the guard's store calls cost beyond raw round trips (its scripts, their arguments and replies, the client's encoding); 'outside the server' is what the call costs beyond the server's time, over the unguarded call's (the client and the event loop). Timing the store calls and the server adds a few µs to each row.",
      "The check script round trip is the guard's own script for 3 scopes, sent directly with `EVALSHA` through the same client: its distance from the raw round trip is what a real script costs (Lua in redis-server, 16 arguments and a nested reply through the gateway), part of every guarded row's distance to the floor.",
      `Inside redis-server (\`INFO commandstats\`, the real store's calls one at a time on a direct connection, after the timed rows): \`return 1\` ${us(scripts.returnOne)} µs a call, the check script with 3 limits ${us(scripts.threeLimits)} µs, a first execution's claim and complete ${us(scripts.claimAndComplete)} µs together.`,
    ],
    ...elapsed(),
  });
}, 300_000);
