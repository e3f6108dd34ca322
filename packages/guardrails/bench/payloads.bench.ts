/**
 * Table 6 — large results: what the guard adds to an idempotent call (first execution and
 * replay) against one superjson serialize + parse of the same result, on the memory store and on
 * the Upstash store (0 ms added), through `createCaller`.
 */
import superjson from 'superjson';
import { afterAll, beforeAll, it } from 'vitest';
import { memoryStore } from '../src/stores/memory/index.js';
import { upstashStore } from '../src/stores/upstash/index.js';
import { type Backend, startBackend } from './harness/backend.js';
import { createBenchRouter } from './harness/bench-router.js';
import { interleave } from './harness/interleave.js';
import { makePayload } from './harness/payload.js';
import { benchTimer, publish } from './harness/publish.js';
import { ms, ratio, thousands } from './harness/stats.js';

/** Small results need many warm-up rounds: cold code would dominate a 1 KB row. */
const SIZES = [
  { name: '1 KB', bytes: 1_024, calls: 301, warmup: 200 },
  { name: '100 KB', bytes: 100 * 1_024, calls: 41, warmup: 5 },
  { name: '1 MB', bytes: 1_024 * 1_024, calls: 11, warmup: 2 },
] as const;

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend([0]);
}, 60_000);
afterAll(() => backend?.stop());

it('payloads of 1 KB, 100 KB and 1 MB: guard added time vs one superjson serialize + parse', async () => {
  const elapsed = benchTimer();
  const rows: string[][] = [];
  for (const size of SIZES) {
    const payload = makePayload(size.bytes);
    const memory = createBenchRouter(memoryStore(), { result: () => payload }).caller;
    // The Upstash default budget (1 MB per request) would store 1 MB as "too large to replay".
    const redis = backend.client(0);
    const upstash = createBenchRouter(upstashStore(redis, { maxRequestBytes: 8 * 1024 * 1024 }), {
      result: () => payload,
    }).caller;
    // What moving the result to and from the store costs by itself, with no guard: the same
    // bytes as a script argument (as the complete carries them), and back as a reply (a replay).
    const text = superjson.stringify(payload);
    const stored = `payload-bench:${size.name}`;
    await redis.eval("redis.call('SET', KEYS[1], ARGV[1]) return 1", [stored], [text]);
    const timings = await interleave(
      [
        { name: 'serialize + parse', run: async () => superjson.parse(superjson.stringify(payload)) },
        { name: 'raw store round trip', run: () => redis.eval('return 1', [], []) },
        { name: 'round trip carrying the result', run: () => redis.eval('return 1', [], [text]) },
        {
          name: 'round trip returning the result',
          run: () => redis.eval("return redis.call('GET', KEYS[1])", [stored], []),
        },
        { name: 'unguarded', run: (i) => memory.plain({ n: 1, idempotencyKey: `u${i}` }) },
        { name: 'memory first', run: (i) => memory.idempotent({ n: 1, idempotencyKey: `m${i}` }) },
        { name: 'memory replay', run: (i) => memory.idempotent({ n: 1, idempotencyKey: `m${i}` }) },
        { name: 'Upstash first', run: (i) => upstash.idempotent({ n: 1, idempotencyKey: `p${i}` }) },
        { name: 'Upstash replay', run: (i) => upstash.idempotent({ n: 1, idempotencyKey: `p${i}` }) },
      ],
      size.calls,
      size.warmup,
    );
    const base = timings.get('unguarded')!.median;
    const unit = timings.get('serialize + parse')!.median;
    const trip = timings.get('raw store round trip')!.median;
    /** Over the unguarded call, less the store round trips the call needs (`trips`). */
    const added = (name: string, trips = 0) => {
      const extra = timings.get(name)!.median - base - trips * trip;
      return `${ms(extra)} (${ratio(extra / unit)}×)`;
    };
    /** Over the unguarded call, less the named raw round trips the call makes. */
    const beyond = (name: string, ...roundTrips: string[]) => {
      let extra = timings.get(name)!.median - base;
      for (const roundTrip of roundTrips) extra -= timings.get(roundTrip)!.median;
      return `${ms(extra)} (${ratio(extra / unit)}×)`;
    };
    rows.push([
      size.name,
      thousands(superjson.stringify(payload).length),
      ms(unit),
      ms(base),
      added('memory first'),
      added('memory replay'),
      ms(trip),
      added('Upstash first', 2),
      added('Upstash replay', 1),
      `${ms(timings.get('round trip carrying the result')!.median)} / ${ms(timings.get('round trip returning the result')!.median)}`,
      beyond('Upstash first', 'raw store round trip', 'round trip carrying the result'),
      beyond('Upstash replay', 'round trip returning the result'),
    ]);
  }
  await publish({
    id: 'payloads',
    title: '6. Large results',
    method:
      'An idempotent procedure returns a prebuilt result (an invoice with line items, each with a `Date`) of about 1 KB, 100 KB and 1 MB as superjson JSON; the unguarded procedure returns the same object. ' +
      'Interleaved rounds (301 / 41 / 11, after 200 / 5 / 2 untimed warm-up rounds) of: one `superjson.parse(superjson.stringify(result))`, the unguarded call, and the idempotent call first and as a replay, on `memoryStore()` and on `upstashStore` (upstash-local, 0 ms added, its request budget raised to 8 MB so that 1 MB is stored), all through `createCaller`. ' +
      'Added = median of the guarded call − median of the unguarded call; in brackets, that over one serialize + parse (goal ≤ 1.2×).',
    tables: [
      {
        table: {
          head: [
            'result',
            'JSON bytes',
            'serialize + parse ms',
            'unguarded call ms',
            'memory: first, added ms (×)',
            'memory: replay, added ms (×)',
            'Upstash: one raw round trip ms',
            'Upstash: first, added beyond 2 round trips ms (×)',
            'Upstash: replay, added beyond 1 round trip ms (×)',
            'Upstash: raw round trip carrying / returning the result ms',
            'Upstash: first, beyond a raw round trip and one carrying the result ms (×)',
            'Upstash: replay, beyond a raw round trip returning the result ms (×)',
          ],
          rows,
        },
      },
    ],
    notes: [
      "Through `createCaller` nothing serializes the unguarded result; over HTTP tRPC serializes every result once more, guarded or not, so these are the guard's own costs.",
      'The Upstash columns subtract the round trips the call needs (a raw `EVAL "return 1"` each, measured in the same rounds), so what is left is moving the payload to and from the gateway and redis-server (JSON over HTTP, then RESP) and the guard\'s own work.',
      "The last three columns take the payload's own transport out as well: a raw `EVAL \"return 1\"` with the result's superjson text as its argument (what a complete carries), and a raw `EVAL` that returns the stored text (what a replay reads), with no guard, measured in the same rounds. What is left is the guard's own work on the result.",
    ],
    ...elapsed(),
  });
}, 300_000);
