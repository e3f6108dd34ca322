/**
 * Table 10 — below the floor: what the opt-in caches answer with no store round trip. Latency of
 * a replay and of a refused call with and without them over real HTTP at 0, 5 and 20 ms added per
 * store request, then hit rates on two workloads: retries spread over 3 instances, and a client
 * that keeps calling past its limit. Prints the tables; asserts nothing.
 */
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, it } from 'vitest';
import { upstashStore } from '../src/stores/upstash/index.js';
import { countingChecks } from '../src/testing/counting-store.js';
import { type Backend, startBackend } from './harness/backend.js';
import { type BenchRouter, createBenchRouter } from './harness/bench-router.js';
import type { Fragment } from './harness/fragments.js';
import { benchClient, serveRouter } from './harness/http-server.js';
import { interleave, requestsPerCall, type TimedRow } from './harness/interleave.js';
import { benchTimer, publish } from './harness/publish.js';
import { SETTINGS } from './harness/settings.js';
import { count, ms, signed } from './harness/stats.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend(SETTINGS.latenciesMs);
}, 60_000);
afterAll(() => backend?.stop());

function refusedOnly(error: unknown): void {
  if (!(error instanceof TRPCClientError) || error.data?.code !== 'TOO_MANY_REQUESTS') throw error;
}

const ROWS = [
  'idempotent, replay',
  'idempotent, replay — replay cache',
  'limit-denied idempotent call',
  'limit-denied idempotent call — denial cache',
] as const;

async function measureLatency(latencyMs: number) {
  const redis = backend.client(latencyMs);
  const gateway = backend.gateways.get(latencyMs)!;
  const plain = await serveRouter(createBenchRouter(upstashStore(redis)).router);
  const cached = await serveRouter(
    createBenchRouter(upstashStore(redis), { replayCache: true, denialCache: true }).router,
  );
  const plainClient = benchClient<BenchRouter>(plain.url);
  const cachedClient = benchClient<BenchRouter>(cached.url);
  const tag = `b${latencyMs}`;
  for (const client of [plainClient, cachedClient]) {
    await client.idempotent.mutate({ n: 1, idempotencyKey: `${tag}-replayed` });
    await client.denied.mutate({ n: 0, idempotencyKey: `${tag}-spend` }); // the `once` scope's one call
  }
  const rows: TimedRow[] = [
    { name: 'raw store round trip', run: () => redis.eval('return 1', [], []) },
    { name: 'unguarded', run: (i) => plainClient.plain.mutate({ n: 1, idempotencyKey: `${tag}-u-${i}` }) },
    {
      name: ROWS[0],
      run: () => plainClient.idempotent.mutate({ n: 1, idempotencyKey: `${tag}-replayed` }),
    },
    {
      name: ROWS[1],
      run: () => cachedClient.idempotent.mutate({ n: 1, idempotencyKey: `${tag}-replayed` }),
    },
    {
      name: ROWS[2],
      run: (i) => plainClient.denied.mutate({ n: 1, idempotencyKey: `${tag}-d-${i}` }).catch(refusedOnly),
    },
    {
      name: ROWS[3],
      run: (i) => cachedClient.denied.mutate({ n: 1, idempotencyKey: `${tag}-d-${i}` }).catch(refusedOnly),
    },
  ];
  const timings = await interleave(rows, SETTINGS.calls);
  const roundTrips = new Map<string, number>();
  for (const row of rows) {
    roundTrips.set(row.name, await requestsPerCall(gateway.requests, row.run, { settleMs: latencyMs + 40 }));
  }
  await Promise.all([plain.close(), cached.close()]);
  return { timings, roundTrips };
}

/** Deterministic choices, so every run spreads the retries the same way. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * Three instances on one store, each with its replay cache; every intent's first call lands on
 * one, then three retries land on instances picked at random: a replay is answered locally when
 * its instance has seen the outcome (it ran it, or read it from the store once).
 */
async function replayHitRate(intents: number) {
  const prefix = `bhr${Math.random().toString(36).slice(2, 8)}`;
  const instances = [0, 1, 2].map(() => {
    const { store, calls } = countingChecks(upstashStore(backend.client(0)));
    return { caller: createBenchRouter(store, { prefix, replayCache: true }).caller, calls };
  });
  const random = seeded(7);
  let replays = 0;
  let local = 0;
  for (let intent = 0; intent < intents; intent++) {
    const key = `hr-${intent}`;
    await instances[intent % 3]!.caller.idempotent({ n: intent, idempotencyKey: key });
    for (let retry = 0; retry < 3; retry++) {
      const instance = instances[Math.floor(random() * 3)]!;
      const before = instance.calls.checks;
      await instance.caller.idempotent({ n: intent, idempotencyKey: key });
      replays++;
      if (instance.calls.checks === before) local++;
    }
  }
  return { intents, replays, local };
}

/**
 * One client calls every 10 ms for 3 s against a scope of 10 calls a second (sliding window):
 * 300 calls, of which about 30 may pass. Without the cache every refusal is a store request.
 */
async function denialHitRate(denialCache: boolean) {
  const { store, calls } = countingChecks(upstashStore(backend.client(0)));
  const { router } = createBenchRouter(store, { denialCache });
  const server = await serveRouter(router);
  const client = benchClient<BenchRouter>(server.url);
  let allowed = 0;
  let refused = 0;
  const started = performance.now();
  for (let i = 0; i < 300; i++) {
    const due = started + i * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      await client.bursty.mutate({ n: i });
      allowed++;
    } catch (error) {
      refusedOnly(error);
      refused++;
    }
  }
  await server.close();
  return { calls: 300, allowed, refused, checks: calls.checks };
}

it('below the floor: replay cache and denial cache', async () => {
  const elapsed = benchTimer();
  const results = new Map<number, Awaited<ReturnType<typeof measureLatency>>>();
  for (const latencyMs of SETTINGS.latenciesMs) results.set(latencyMs, await measureLatency(latencyMs));
  const replays = await replayHitRate(200);
  const withoutDenials = await denialHitRate(false);
  const withDenials = await denialHitRate(true);

  const tables: Fragment['tables'] = [
    {
      caption: '**Latency (median ms, round trips per call) at each added latency per store request**',
      table: {
        head: [
          'call',
          ...SETTINGS.latenciesMs.map((l) => `${l} ms added: median (p95), round trips`),
          'at 20 ms: − the call without its cache',
        ],
        rows: ROWS.map((name, index) => [
          name,
          ...SETTINGS.latenciesMs.map((latencyMs) => {
            const { timings, roundTrips } = results.get(latencyMs)!;
            const t = timings.get(name)!;
            return `${ms(t.median)} (${ms(t.p95)}), ${count(roundTrips.get(name)!)}`;
          }),
          index % 2 === 1
            ? `${signed(results.get(20)!.timings.get(name)!.median - results.get(20)!.timings.get(ROWS[index - 1]!)!.median)} ms`
            : '–',
        ]),
      },
    },
    {
      caption: '**Reference rows** (same runs)',
      table: {
        head: ['call', ...SETTINGS.latenciesMs.map((l) => `${l} ms added: median (p95)`)],
        rows: ['raw store round trip', 'unguarded'].map((name) => [
          name,
          ...SETTINGS.latenciesMs.map((latencyMs) => {
            const t = results.get(latencyMs)!.timings.get(name)!;
            return `${ms(t.median)} (${ms(t.p95)})`;
          }),
        ]),
      },
    },
    {
      caption:
        '**Replay cache hit rate**: 3 instances on one store, each intent run on one and retried 3 times on instances picked at random (seeded)',
      table: {
        head: ['intents', 'replays', 'answered with 0 round trips', 'hit rate'],
        rows: [
          [
            count(replays.intents),
            count(replays.replays),
            count(replays.local),
            `${((100 * replays.local) / replays.replays).toFixed(1)} %`,
          ],
        ],
      },
    },
    {
      caption:
        '**Denial cache hit rate**: one client calling every 10 ms for 3 s against 10 calls a second (sliding window)',
      table: {
        head: ['denialCache', 'calls', 'allowed', 'refused', 'store requests', 'refusals with 0 round trips'],
        rows: [withoutDenials, withDenials].map((run, index) => {
          const storeRefusals = run.checks - run.allowed;
          const localRefusals = run.refused - storeRefusals;
          return [
            index === 0 ? 'off' : 'on',
            count(run.calls),
            count(run.allowed),
            count(run.refused),
            count(run.checks),
            `${count(localRefusals)} (${((100 * localRefusals) / Math.max(1, run.refused)).toFixed(1)} %)`,
          ];
        }),
      },
    },
  ];
  await publish({
    id: 'below-floor',
    title: '10. Below the floor: replay cache and denial cache',
    method:
      'The same HTTP stack as table 1 (tRPC client → standalone server → `upstashStore` → upstash-local → redis-server). ' +
      'Each latency runs two servers on one store, one with `replayCache: true` and `denialCache: true` on its scopes, one without, ' +
      `and ${SETTINGS.calls} interleaved rounds of every row. The replay rows replay one finished key; the denied rows call the \`once\` scope after its one call an hour is spent, with a new key each call. ` +
      'Hit rates count the `check` requests that reached the store (a counting wrapper around the real store).',
    tables,
    notes: [
      'A replay cache hit skips the store, so its latency is the unguarded call plus the guard’s in-process work, whatever the store’s latency; the first replay on an instance that did not run the intent reads the store once and fills the cache.',
      'A refusal is remembered until the earliest time the store said a call could pass; allowed calls still go to the store, so the denial cache lowers store requests only for callers past their limit.',
    ],
    ...elapsed(),
  });
}, 300_000);
