/**
 * Table 7 — scale: 1, 3 and 10 rate-limit scopes on one call. Over real HTTP on the Upstash store
 * at 0, 5 and 20 ms added (median, p95, floor, round trips), and in process on the memory store
 * (microseconds over the unguarded call).
 */
import { afterAll, beforeAll, it } from 'vitest';
import { memoryStore } from '../src/stores/memory/index.js';
import { upstashStore } from '../src/stores/upstash/index.js';
import { type Backend, startBackend } from './harness/backend.js';
import { type BenchRouter, createBenchRouter } from './harness/bench-router.js';
import { benchClient, serveRouter } from './harness/http-server.js';
import { interleave, requestsPerCall, type TimedRow } from './harness/interleave.js';
import { benchTimer, publish } from './harness/publish.js';
import { SETTINGS } from './harness/settings.js';
import { count, median, ms, percentile, signed, us } from './harness/stats.js';

const SCOPES = [
  { scopes: 1, procedure: 'scopes1' },
  { scopes: 3, procedure: 'scopes3' },
  { scopes: 10, procedure: 'scopes10' },
] as const;

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend(SETTINGS.latenciesMs);
}, 60_000);
afterAll(() => backend?.stop());

async function overHttp(latencyMs: number) {
  const redis = backend.client(latencyMs);
  const { router } = createBenchRouter(upstashStore(redis));
  const server = await serveRouter(router);
  const client = benchClient<BenchRouter>(server.url);
  const rows: TimedRow[] = [
    { name: 'raw', run: () => redis.eval('return 1', [], []) },
    { name: 'unguarded', run: () => client.plain.mutate({ n: 1 }) },
    ...SCOPES.map(({ scopes, procedure }) => ({
      name: String(scopes),
      run: () => client[procedure].mutate({ n: 1 }),
    })),
  ];
  const timings = await interleave(rows, SETTINGS.calls, 2, SETTINGS.warmupMs);
  const trips = new Map<string, number>();
  for (const row of rows.slice(2)) {
    trips.set(
      row.name,
      await requestsPerCall(backend.gateways.get(latencyMs)!.requests, row.run, { settleMs: latencyMs + 40 }),
    );
  }
  await server.close();
  return { timings, trips };
}

async function inProcess() {
  const { caller } = createBenchRouter(memoryStore());
  const rows = [
    { name: 'unguarded', run: () => caller.plain({ n: 1 }) },
    ...SCOPES.map(({ scopes, procedure }) => ({
      name: String(scopes),
      run: () => caller[procedure]({ n: 1 }),
    })),
  ];
  for (const row of rows) for (let i = 0; i < 2_000; i++) await row.run();
  const samples = new Map(rows.map((row) => [row.name, [] as number[]]));
  for (let round = 0; round < SETTINGS.inProcessRounds; round++) {
    for (const row of rows) {
      for (let i = 0; i < SETTINGS.inProcessBatch; i++) {
        const start = performance.now();
        await row.run();
        samples.get(row.name)!.push((performance.now() - start) * 1000);
      }
    }
  }
  return samples;
}

it('scale: 1, 3 and 10 scopes', async () => {
  const elapsed = benchTimer();
  const http = new Map<number, Awaited<ReturnType<typeof overHttp>>>();
  for (const latencyMs of SETTINGS.latenciesMs) http.set(latencyMs, await overHttp(latencyMs));
  const local = await inProcess();
  const base = median(local.get('unguarded')!);
  await publish({
    id: 'scale',
    title: '7. Scale: 1, 3 and 10 scopes',
    method:
      'Over HTTP: the same harness as table 1 (tRPC client → standalone server → `upstashStore` → upstash-local → redis-server), a `.rateLimited()` procedure with 1, 3 and 10 scopes (sliding window, fixed window and token bucket in turn, one identifier each), ' +
      `${SETTINGS.calls} interleaved calls per row and latency (after ${SETTINGS.warmupMs / 1000} s of untimed rounds); floor = round trips × one raw store round trip + the same call unguarded. ` +
      `In process: \`createCaller\` on \`memoryStore()\`, ${SETTINGS.inProcessRounds} interleaved rounds of ${SETTINGS.inProcessBatch} calls, overhead over the unguarded call.`,
    tables: [
      {
        table: {
          head: [
            'scopes',
            'round trips',
            ...SETTINGS.latenciesMs.map((l) => `${l} ms: median / p95 (floor)`),
            ...SETTINGS.latenciesMs.map((l) => `${l} ms: median − floor`),
            'in process: µs over unguarded (p95 µs)',
          ],
          rows: SCOPES.map(({ scopes }) => {
            const name = String(scopes);
            const trips = http.get(0)!.trips.get(name)!;
            const floorAt = (latencyMs: number) => {
              const { timings } = http.get(latencyMs)!;
              return trips * timings.get('raw')!.median + timings.get('unguarded')!.median;
            };
            return [
              name,
              count(trips),
              ...SETTINGS.latenciesMs.map((latencyMs) => {
                const t = http.get(latencyMs)!.timings.get(name)!;
                return `${ms(t.median)} / ${ms(t.p95)} (${ms(floorAt(latencyMs))})`;
              }),
              ...SETTINGS.latenciesMs.map((latencyMs) =>
                signed(http.get(latencyMs)!.timings.get(name)!.median - floorAt(latencyMs)),
              ),
              `${us(median(local.get(name)!) - base)} (${us(percentile(local.get(name)!, 95))})`,
            ];
          }),
        },
      },
    ],
    ...elapsed(),
  });
}, 300_000);
