/**
 * Table 8 — side by side with the peers, same harness (tRPC client → standalone server → the
 * library or peer → the same redis-server), same added latencies: through upstash-local for
 * HTTP clients, through a delaying TCP proxy for TCP clients. Round trips, median and p95 per
 * call type, throughput.
 */
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, it } from 'vitest';
import { redisStore } from '../src/stores/redis/index.js';
import { upstashStore } from '../src/stores/upstash/index.js';
import { loadTest } from './harness/autocannon.js';
import { type Backend, startBackend } from './harness/backend.js';
import { type BenchRouter, createBenchRouter } from './harness/bench-router.js';
import { startDelayProxy } from './harness/delay-proxy.js';
import { benchClient, serveRouter } from './harness/http-server.js';
import { interleave, requestsPerCall, type Timing } from './harness/interleave.js';
import { nodeIdempotency } from './harness/node-idempotency-peer.js';
import { type PeerRow, PEER_ROWS as ROWS, rowName } from './harness/peer-rows.js';
import { createPeersRouter, type PeersRouter } from './harness/peers-router.js';
import { benchTimer, publish } from './harness/publish.js';
import { SETTINGS } from './harness/settings.js';
import { count, mean, ms, ratio, thousands } from './harness/stats.js';

const CONNECTIONS = 32;

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend(SETTINGS.latenciesMs);
}, 60_000);
afterAll(() => backend?.stop());

async function atLatency(latencyMs: number) {
  const redis = backend.client(latencyMs);
  const proxy = await startDelayProxy({ targetPort: backend.redis.port, latencyMs });
  // The fail-fast settings the library's README gives for ioredis.
  const ioredis = new IORedis(proxy.port, '127.0.0.1', { maxRetriesPerRequest: 1, commandTimeout: 2000 });
  await ioredis.ping();
  const idempotency = await nodeIdempotency(proxy.url, `ni${latencyMs}`);
  const servers = {
    upstash: await serveRouter(createBenchRouter(upstashStore(redis)).router),
    redis: await serveRouter(createBenchRouter(redisStore(ioredis)).router),
    peers: await serveRouter(createPeersRouter({ redis, nodeIdempotency: idempotency })),
  };
  const clients = {
    upstash: benchClient<BenchRouter>(servers.upstash.url),
    redis: benchClient<BenchRouter>(servers.redis.url),
    peers: benchClient<PeersRouter>(servers.peers.url),
  };
  /** The row's procedure, by name: the rows table names procedures of three routers. */
  const mutate = (row: PeerRow, input: unknown) => {
    const client = clients[row.server] as unknown as Record<
      string,
      { mutate(input: unknown): Promise<unknown> }
    >;
    return client[row.procedure]!.mutate(input);
  };
  const call = (row: PeerRow, i: number) =>
    mutate(row, {
      n: 1,
      ...(row.key !== 'none' && { idempotencyKey: `${row.server}-${row.procedure}-${latencyMs}-${i}` }),
    });
  const timings = await interleave(
    ROWS.map((row) => ({ name: rowName(row), run: (i: number) => call(row, i) })),
    SETTINGS.calls,
  );
  const trips = new Map<string, number>();
  for (const row of ROWS) {
    const counter = row.transport === 'HTTP' ? backend.gateways.get(latencyMs)!.requests : proxy.roundTrips;
    trips.set(
      rowName(row),
      await requestsPerCall(counter, (i) => call(row, i), { settleMs: latencyMs + 40 }),
    );
  }
  const throughput = new Map<string, number>();
  if (latencyMs === 0) {
    const load = (row: PeerRow) => {
      const url = `${servers[row.server].url}/${row.procedure}`;
      const idempotencyKey =
        row.key === 'fresh' ? '[<id>]' : row.key === 'replay' ? `tp-${row.procedure}` : undefined;
      return { url, body: { json: { n: 1, ...(idempotencyKey && { idempotencyKey }) } } };
    };
    for (const row of ROWS) {
      const { url, body } = load(row);
      // The record every request of the run replays.
      if (row.key === 'replay') await mutate(row, body.json);
      await loadTest({ url, body, connections: CONNECTIONS, seconds: 1 });
    }
    // Forward then backward: each row's figure is the mean of two runs at different moments.
    const runs = new Map<string, number[]>();
    for (const row of [...ROWS, ...[...ROWS].reverse()]) {
      const result = await loadTest({
        ...load(row),
        connections: CONNECTIONS,
        seconds: SETTINGS.throughputSeconds,
      });
      const rps = result.failures > 0 ? Number.NaN : result.requestsPerSecond;
      runs.set(rowName(row), [...(runs.get(rowName(row)) ?? []), rps]);
    }
    for (const [name, values] of runs) throughput.set(name, mean(values));
  }
  for (const server of Object.values(servers)) await server.close();
  ioredis.disconnect();
  await idempotency.close();
  await proxy.close();
  return { timings, trips, throughput };
}

it('side by side with @upstash/ratelimit, the seed pattern and @node-idempotency/core', async () => {
  const elapsed = benchTimer();
  const results = new Map<number, Awaited<ReturnType<typeof atLatency>>>();
  for (const latencyMs of SETTINGS.latenciesMs) results.set(latencyMs, await atLatency(latencyMs));
  const at = (latencyMs: number, name: string): Timing => results.get(latencyMs)!.timings.get(name)!;
  const reference = (row: PeerRow) =>
    row.versus
      ? ROWS.find((other) => other.implementation === row.versus && other.call === row.call)
      : undefined;

  const rows = ROWS.map((row) => {
    const name = rowName(row);
    const versus = reference(row);
    const throughput = results.get(0)!.throughput.get(name)!;
    return [
      row.implementation,
      row.transport,
      row.call,
      count(results.get(0)!.trips.get(name)!),
      ...SETTINGS.latenciesMs.map(
        (latencyMs) => `${ms(at(latencyMs, name).median)} / ${ms(at(latencyMs, name).p95)}`,
      ),
      thousands(throughput),
      versus
        ? SETTINGS.latenciesMs
            .map((latencyMs) => ratio(at(latencyMs, name).median / at(latencyMs, rowName(versus)).median))
            .join(' / ')
        : '–',
      versus ? ratio(results.get(0)!.throughput.get(rowName(versus))! / throughput) : '–',
    ];
  });
  rows.push([
    '`idempotency-redis`',
    '–',
    '–',
    '–',
    ...SETTINGS.latenciesMs.map(() => '–'),
    '–',
    'not in the npm registry (`npm view idempotency-redis`: 404)',
    '–',
  ]);
  const together = results
    .get(0)!
    .trips.get(rowName(ROWS.find((row) => row.procedure === 'ratelimitTogether')!))!;
  await publish({
    id: 'peers',
    title: '8. Side by side with the peers',
    method:
      'Every implementation is a tRPC mutation with the same input and handler on the same kind of standalone server, called by the same tRPC client; all use one redis-server. ' +
      `HTTP clients (\`@upstash/redis\`, so \`upstashStore\`, \`@upstash/ratelimit\` and the seed pattern) go through upstash-local; TCP clients (ioredis for \`redisStore\`, node-redis 4 inside \`@node-idempotency/storage-adapter-redis\`) through a TCP proxy (own process) that holds every client write for the same added latency. ` +
      `${SETTINGS.calls} interleaved calls per row and latency (every row in every round). Round trips: gateway requests or proxy round trips per call, at 0 ms. ` +
      `Throughput: autocannon, ${CONNECTIONS} connections, ${SETTINGS.throughputSeconds} s, every row after 1 s of warm-up and then run forward and backward (the mean of the two runs), at 0 ms added. Speed-up = the peer's median ÷ trpc-guardrails' median for the same call on the same transport (> 1: trpc-guardrails is faster); throughput ratio = trpc-guardrails ÷ the peer.`,
    tables: [
      {
        table: {
          head: [
            'implementation',
            'transport',
            'call',
            'round trips',
            ...SETTINGS.latenciesMs.map((l) => `${l} ms: median / p95 ms`),
            `req/s (${CONNECTIONS} conn, 0 ms)`,
            'speed-up of trpc-guardrails (0 / 5 / 20 ms)',
            'throughput ratio',
          ],
          rows,
        },
      },
    ],
    notes: [
      `\`@upstash/ratelimit\` with \`Promise.all\`: ${count(together)} gateway request(s) per call — ${together <= 1 ? "its client's auto-pipelining sends the three limiters' `EVALSHA`s as one request" : 'auto-pipelining does not merge the three limiters into one request'}.`,
      "`@node-idempotency/core` stores the response as JSON: a `Date` comes back from a replay as a string (trpc-guardrails and the seed pattern store superjson). Its first execution is `SET NX` then `SET`; its replay `SET NX` then `GET`. It has no rate limits; compare it with trpc-guardrails' idempotent-only rows.",
      "The seed pattern is racy (two duplicates can both miss the `GET` and both run); trpc-guardrails' first execution claims atomically.",
    ],
    ...elapsed(),
  });
}, 600_000);
