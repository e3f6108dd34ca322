/**
 * Table 4 — the memory store at 1 M keys: bytes per rate-limit key and per small idempotency
 * record (heap and RSS after full collections), and call latency under load while the store's
 * expiry sweep walks (and then empties) those keys.
 */
import { randomUUID } from 'node:crypto';
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { it } from 'vitest';
import { z } from 'zod';
import { idempotencyRecordKey } from '../src/guard/keys.js';
import { createGuardrails, fingerprintInput, type GuardrailsStore, slidingWindow } from '../src/index.js';
import { memoryStore } from '../src/stores/memory/index.js';
import { closedLoop, type LoadSamples } from './harness/closed-loop.js';
import { settledMemory } from './harness/heap.js';
import { benchTimer, publish } from './harness/publish.js';
import { SETTINGS, UNLIMITED } from './harness/settings.js';
import { count, ms, percentile, thousands } from './harness/stats.js';

const WINDOW_MS = 60_000;
const BATCH = 256;
/** Records made through the whole tRPC path, to check the direct fill against. */
const ENGINE_RECORDS = 50_000;
const LOAD_MS = 5_000;
const WORKERS = 8;

type Ctx = { ip: string; userId: string };

const ipFor = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function guardOn(store: GuardrailsStore) {
  const guard = createGuardrails<Ctx>()({
    store,
    prefix: 'mem',
    scopes: { ip: { limiter: slidingWindow(UNLIMITED, '1 m'), identify: ({ ctx }) => ctx.ip } },
    idempotency: { owner: ({ ctx }) => ctx.userId },
  });
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    limited: procedure
      .rateLimited('ip')
      .input(z.object({ n: z.number() }))
      .mutation(({ input }) => ({ ok: true, n: input.n })),
    once: procedure
      .idempotent()
      .input(z.object({ n: z.number() }))
      .mutation(({ input }) => ({ ok: true, n: input.n })),
  });
  return { guard, factory: t.createCallerFactory(router) };
}

async function inBatches(total: number, run: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < total; i += BATCH) {
    const size = Math.min(BATCH, total - i);
    await Promise.all(Array.from({ length: size }, (_, j) => run(i + j)));
  }
}

/**
 * Small records straight into the store, built as the engine builds them (its key function,
 * fingerprint and superjson payload): the tRPC path would take minutes for a million.
 */
async function fillRecords(store: GuardrailsStore, total: number): Promise<void> {
  await inBatches(total, async (i) => {
    const claimId = randomUUID();
    const key = idempotencyRecordKey('mem', { path: 'once', owner: `u_${i % 1000}`, key: randomUUID() });
    const claim = {
      key,
      fingerprint: fingerprintInput({ n: i }),
      claimId,
      leaseMs: 60_000,
      ttlMs: 86_400_000,
      graceMs: 1_000,
      deadline: Date.now() + 2_000,
    };
    await store.check({ limits: [], claim });
    const payload = JSON.stringify(superjson.serialize({ ok: true, n: i }));
    await store.complete({ key, claimId, outcome: { kind: 'result', payload }, ttlMs: 86_400_000 });
  });
}

it('memory store at 1 M keys: bytes per key, latency while expiry sweeps run', async () => {
  const elapsed = benchTimer();
  const keys = SETTINGS.memoryKeys;
  let skew = 0;
  const limits = memoryStore({ now: () => Date.now() + skew });
  const { guard: limitGuard, factory } = guardOn(limits);

  // Baseline load on an empty store, for comparison.
  const empty = guardOn(memoryStore()).factory;
  const emptyCallers = Array.from({ length: 1024 }, (_, i) => empty({ ip: ipFor(i), userId: 'u' }));
  const emptyLoad = await closedLoop((i) => emptyCallers[i % 1024]!.limited({ n: i }), {
    workers: WORKERS,
    durationMs: 2_000,
  });

  const m0 = await settledMemory();
  const fillStart = Date.now();
  await inBatches(keys, (i) => limitGuard.limit('ip', { ctx: { ip: ipFor(i), userId: 'u' } }));
  const m1 = await settledMemory();
  const limitKeys = limits.size;

  // Sweeps change nothing an entry weighs; at this size each walks every entry, so they are
  // kept out of the fills that measure bytes (the rate-limit store keeps its own: the load needs it).
  const records = memoryStore({ sweepIntervalMs: 3_600_000 });
  await fillRecords(records, keys);
  const m2 = await settledMemory();
  const recordCount = records.size;

  const engineStore = memoryStore();
  const engine = guardOn(engineStore).factory;
  const engineCallers = Array.from({ length: 100 }, (_, u) => engine({ ip: 'x', userId: `u_${u}` }));
  const m3 = await settledMemory();
  await inBatches(ENGINE_RECORDS, (i) =>
    engineCallers[i % 100]!.once({ n: i, idempotencyKey: randomUUID() }),
  );
  const m4 = await settledMemory();
  const engineCount = engineStore.size;

  // Every rate-limit key of the first fill window expires at (window + 2) × 1 min: move the
  // store's clock to 1.5 s before that, so the load meets sweeps that walk, then delete, them.
  const expiresAt = (Math.floor(fillStart / WINDOW_MS) + 2) * WINDOW_MS;
  skew = expiresAt - 1_500 - Date.now();
  const callers = Array.from({ length: 1024 }, (_, i) => factory({ ip: ipFor(i * 977), userId: 'u' }));
  const before = limits.size;
  const load = await closedLoop((i) => callers[i % 1024]!.limited({ n: i }), {
    workers: WORKERS,
    durationMs: LOAD_MS,
  });
  const after = limits.size;

  const perKey = (from: number, to: number, n: number) => thousands((to - from) / n);
  const loadRow = (name: string, samples: LoadSamples, note: string) => {
    const { latencies } = samples;
    return [
      name,
      thousands(latencies.length),
      ms(percentile(latencies, 50)),
      ms(percentile(latencies, 99)),
      ms(percentile(latencies, 99.9)),
      // Not Math.max(...latencies): spread past ~120 k arguments overflows the stack.
      ms(percentile(latencies, 100)),
      String(latencies.filter((value) => value > 5).length),
      [...latencies]
        .sort((a, b) => b - a)
        .slice(0, 5)
        .map((value) => value.toFixed(0))
        .join(', '),
      `${ms(samples.loopP999)} / ${ms(samples.loopMax)}`,
      note,
    ];
  };
  await publish({
    id: 'memory-store',
    title: '4. Memory store at 1 M keys',
    method:
      `Bytes: heap used and RSS of this process after full collections (\`--expose-gc\`), before and after filling a fresh \`memoryStore()\`, divided by the keys it then held. ` +
      `Rate-limit keys: ${thousands(keys)} \`guard.limit('ip')\` calls (sliding window, one IPv4 identifier each), ${BATCH} at a time. ` +
      `Idempotency records: ${thousands(keys)} claimed and completed straight on the store with the engine's own key function, fingerprint and superjson payload (\`{ ok: true, n }\`, a UUID key, 1,000 owners) — and, as a check, ${thousands(ENGINE_RECORDS)} through the whole tRPC path (\`createCaller\`, \`.idempotent()\`). ` +
      `Load: ${WORKERS} callers in this process call a \`.rateLimited('ip')\` procedure back to back for ${LOAD_MS / 1000} s on the store with ${thousands(keys)} rate-limit keys, its clock set 1.5 s before those keys expire, so its sweeps (every 1 s, on the calling path) first walk and then delete them; the same load on an empty store for comparison.`,
    tables: [
      {
        table: {
          head: ['what', 'entries in the store', 'heap bytes per entry', 'RSS bytes per entry', 'goal'],
          rows: [
            [
              'rate-limit key',
              thousands(limitKeys),
              perKey(m0.heapUsed, m1.heapUsed, limitKeys),
              perKey(m0.rss, m1.rss, limitKeys),
              '≤ 300',
            ],
            [
              'small idempotency record (direct fill)',
              thousands(recordCount),
              perKey(m1.heapUsed, m2.heapUsed, recordCount),
              perKey(m1.rss, m2.rss, recordCount),
              '≤ 1,024',
            ],
            [
              'small idempotency record (tRPC path, check)',
              thousands(engineCount),
              perKey(m3.heapUsed, m4.heapUsed, engineCount),
              perKey(m3.rss, m4.rss, engineCount),
              '≤ 1,024',
            ],
          ],
        },
      },
      {
        caption: '**Call latency under load** (goal: expiry work never delays a call more than 5 ms, p99.9)',
        table: {
          head: [
            'store',
            'calls',
            'p50 ms',
            'p99 ms',
            'p99.9 ms',
            'max ms',
            'calls > 5 ms',
            '5 slowest calls ms',
            'event-loop delay p99.9 / max ms',
            'keys',
          ],
          rows: [
            loadRow('empty', emptyLoad, '–'),
            loadRow(
              `${count(keys / 1e6)} M rate-limit keys, expiring during the run`,
              load,
              `${thousands(before)} → ${thousands(after)}`,
            ),
          ],
        },
      },
    ],
    notes: [
      `Longest stall of the event loop during the loaded run: ${ms(load.loopMax)} ms (${ms(emptyLoad.loopMax)} ms on the empty store). Every call that arrives during a sweep waits for all of it; with ${WORKERS} callers only ${WORKERS} calls are in flight, so the p99.9 of calls understates what a busy server's requests would see — the max and the event-loop stall are the figures to read.`,
      'RSS moves in pages and keeps what the heap once took, so its per-entry figure is an upper bound; the heap figure is what the entries hold.',
    ],
    ...elapsed(),
  });
}, 600_000);
