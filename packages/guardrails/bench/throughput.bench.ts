/**
 * Table 3 — throughput over HTTP: autocannon (its own process) against one standalone tRPC
 * server (this process), 1 / 8 / 32 / 128 connections, the same mutation unguarded and guarded
 * (3 scopes + idempotent, a fresh key per request) on the memory store and on the Upstash store
 * (upstash-local in its own process, 0 ms added).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, it } from 'vitest';
import { memoryStore } from '../src/stores/memory/index.js';
import { upstashStore } from '../src/stores/upstash/index.js';
import { loadTest } from './harness/autocannon.js';
import { type Backend, startBackend } from './harness/backend.js';
import { createBenchRouter } from './harness/bench-router.js';
import { type BenchServer, serveRouter } from './harness/http-server.js';
import { benchTimer, publish } from './harness/publish.js';
import { SETTINGS } from './harness/settings.js';
import { count, mean, median, ms, ratio, thousands, us } from './harness/stats.js';

let backend: Backend;
let memoryServer: BenchServer;
let upstashServer: BenchServer;
let plainRepliesServer: BenchServer;
beforeAll(async () => {
  backend = await startBackend([0]);
  memoryServer = await serveRouter(createBenchRouter(memoryStore()).router);
  upstashServer = await serveRouter(createBenchRouter(upstashStore(backend.client(0))).router);
  // The README's tip: a client of the store's own whose replies are plain JSON, not base64.
  const gateway = backend.gateways.get(0)!;
  const plainReplies = new Redis({ url: gateway.url, token: gateway.token, responseEncoding: false });
  plainRepliesServer = await serveRouter(createBenchRouter(upstashStore(plainReplies)).router);
}, 60_000);
afterAll(async () => {
  await memoryServer?.close();
  await upstashServer?.close();
  await plainRepliesServer?.close();
  await backend?.stop();
});

const BODY = { json: { n: 1, idempotencyKey: '[<id>]' } };
/** Every request replays the one record this key left. */
const REPLAY_BODY = { json: { n: 1, idempotencyKey: 'throughput-replay' } };

it('throughput: guarded vs unguarded, memory and Upstash stores', async () => {
  const elapsed = benchTimer();
  const gateway = backend.gateways.get(0)!;
  const rows = [
    { name: 'unguarded', url: `${memoryServer.url}/plain`, body: BODY },
    { name: 'empty middleware', url: `${memoryServer.url}/emptyMiddleware`, body: BODY },
    { name: 'guarded, memory store', url: `${memoryServer.url}/guarded`, body: BODY },
    { name: '3 scopes, memory store', url: `${memoryServer.url}/threeScopes`, body: BODY },
    { name: 'replay, memory store', url: `${memoryServer.url}/idempotent`, body: REPLAY_BODY },
    { name: 'guarded, Upstash store', url: `${upstashServer.url}/guarded`, body: BODY },
    {
      name: 'guarded, Upstash store, plain replies',
      url: `${plainRepliesServer.url}/guarded`,
      body: BODY,
    },
  ];
  for (const row of rows) await loadTest({ url: row.url, body: row.body, connections: 8, seconds: 1 });
  // A raw round trip at rest: what a closed loop of first executions (2 sequential round trips)
  // can never go below.
  const redis = backend.client(0);
  const trips: number[] = [];
  for (let i = 0; i < 300; i++) {
    const start = performance.now();
    await redis.eval('return 1', [], []);
    if (i >= 100) trips.push(performance.now() - start);
  }
  const rawTripMs = median(trips);

  // Garbage collection in this (the server's) process, as the runtime reports it: what retained
  // records and per-call garbage cost, apart from the code that runs.
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  type Sample = {
    rps: number;
    p99: number;
    cpuUs: number;
    gcUs: number;
    storeRequests: number;
    failures: number;
  };
  const results = new Map<string, Sample[]>();
  for (const connections of SETTINGS.connections) {
    // Forward then backward, so neither row always runs first on a machine whose load drifts.
    for (const row of [...rows, ...[...rows].reverse()]) {
      const cpu = process.cpuUsage();
      const gcBefore = gcMs;
      const requestsBefore = await gateway.requests();
      const result = await loadTest({
        url: row.url,
        body: row.body,
        connections,
        seconds: SETTINGS.throughputSeconds,
      });
      const used = process.cpuUsage(cpu);
      // Entries arrive after their collection ends: let the last ones in.
      await new Promise((resolve) => setImmediate(resolve));
      const gcUsed = gcMs - gcBefore;
      const storeRequests = (await gateway.requests()) - requestsBefore;
      const key = `${row.name}@${connections}`;
      results.set(key, [
        ...(results.get(key) ?? []),
        {
          rps: result.requestsPerSecond,
          p99: result.latencyP99,
          cpuUs: (used.user + used.system) / Math.max(1, result.requests),
          gcUs: (gcUsed * 1000) / Math.max(1, result.requests),
          storeRequests: storeRequests / Math.max(1, result.requests),
          failures: result.failures,
        },
      ]);
    }
  }
  /** The two runs of a row averaged (the p99 is the worse of the two). */
  const cell = (name: string, connections: number): Sample => {
    const runs = results.get(`${name}@${connections}`)!;
    const average = (pick: (sample: Sample) => number) => mean(runs.map(pick));
    return {
      rps: average((r) => r.rps),
      p99: Math.max(...runs.map((r) => r.p99)),
      cpuUs: average((r) => r.cpuUs),
      gcUs: average((r) => r.gcUs),
      storeRequests: average((r) => r.storeRequests),
      failures: runs.reduce((sum, r) => sum + r.failures, 0),
    };
  };
  gcObserver.disconnect();
  const failures = [...results.values()].flat().reduce((sum, r) => sum + r.failures, 0);
  await publish({
    id: 'throughput',
    title: '3. Throughput over HTTP (autocannon, one server)',
    method:
      `autocannon ${'`'}-c N -d ${SETTINGS.throughputSeconds}${'`'} in its own process POSTs the same mutation to one standalone tRPC server (one Node process, this bench's), a fresh \`idempotencyKey\` per request (\`-I\`), after a 1 s warm-up per row; for each connection count the seven rows run forward then backward and each figure is the mean of its two runs (p99: the worse). ` +
      'Guarded = 3 scopes + idempotent, first execution (every request a new key). The Upstash store talks to upstash-local (own process, 0 ms added) → redis-server. ' +
      "Server CPU is this process's user + system time per completed request; store requests are gateway HTTP requests per completed request (below 2 means calls of one tick were coalesced into one request).",
    tables: [
      {
        table: {
          head: [
            'connections',
            'unguarded req/s',
            'memory: guarded req/s',
            'memory: ratio (goal ≥ 0.95)',
            'memory, 3 scopes alone / replay alone: ratio',
            'unguarded behind one empty tRPC middleware: ratio',
            'Upstash: guarded req/s',
            'Upstash: ratio (goal ≥ 0.60)',
            'Upstash, `responseEncoding: false`: ratio',
            'Upstash: ceiling of the ratio at 2 sequential round trips',
            'Upstash: store requests per call',
            'p99 ms unguarded / memory / Upstash',
            'server CPU µs per request unguarded / memory / Upstash',
            'GC pauses µs per request unguarded / memory / Upstash',
          ],
          rows: SETTINGS.connections.map((connections) => {
            const plain = cell('unguarded', connections);
            const memory = cell('guarded, memory store', connections);
            const upstash = cell('guarded, Upstash store', connections);
            const scopes = cell('3 scopes, memory store', connections);
            const replay = cell('replay, memory store', connections);
            // Each of c connections needs at least the unguarded request's time plus two raw
            // round trips per first execution.
            const ceiling = 1 / (1 + (2 * rawTripMs * plain.rps) / (1000 * connections));
            return [
              String(connections),
              thousands(plain.rps),
              thousands(memory.rps),
              ratio(memory.rps / plain.rps),
              `${ratio(scopes.rps / plain.rps)} / ${ratio(replay.rps / plain.rps)}`,
              ratio(cell('empty middleware', connections).rps / plain.rps),
              thousands(upstash.rps),
              ratio(upstash.rps / plain.rps),
              ratio(cell('guarded, Upstash store, plain replies', connections).rps / plain.rps),
              ratio(Math.min(1, ceiling)),
              count(Math.round(upstash.storeRequests * 100) / 100),
              `${plain.p99} / ${memory.p99} / ${upstash.p99}`,
              `${thousands(plain.cpuUs)} / ${thousands(memory.cpuUs)} / ${thousands(upstash.cpuUs)}`,
              `${us(plain.gcUs)} / ${us(memory.gcUs)} / ${us(upstash.gcUs)}`,
            ];
          }),
        },
      },
    ],
    notes: [
      `Non-2xx answers, errors and timeouts over every run: ${failures}.`,
      `The Upstash ceiling: with c connections each request takes at least the unguarded request's time (c ÷ its req/s) plus 2 raw store round trips (${ms(rawTripMs)} ms each at rest, \`EVAL "return 1"\` from this process), so no design that stores the outcome before answering can pass 1 ÷ (1 + 2 × round trip × unguarded req/s ÷ c). Where the ceiling is above the goal and the ratio is not, the server's CPU decides (the last column).`,
      'The empty-middleware row is the unguarded call behind one tRPC middleware that only calls `next()`: what any guard built as a tRPC middleware starts from.',
      "GC pauses: the duration of this process's garbage collections during a run (`PerformanceObserver`, entry type `gc`), per completed request. These are main-thread pauses, not a share of the CPU column, which also counts the collector's helper threads. The memory store keeps every first execution's record for its TTL (24 h), and every server shares this process's heap, so the heap grows through the table; the column shows what collecting it costs each row.",
      'The two middle memory rows run the same load on `threeScopes` (3 limits, no idempotency) and on `idempotent` replaying one stored record, to show what each guard costs alone.',
      "`responseEncoding: false`: the same Upstash row with an `@upstash/redis` client of the store's own whose replies come as plain JSON; by default the client asks for base64 and decodes every string of every reply (`atob`, then a new `TextDecoder` each).",
      "All of autocannon, the server, the gateway and redis-server share the same 2 cores, so the Upstash row also pays for the gateway's CPU; a hosted Upstash would not take it from the server's cores.",
    ],
    ...elapsed(),
  });
}, 300_000);
