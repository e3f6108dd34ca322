/**
 * Table 2 — what the guard costs in process: the same call with and without it, through
 * `createCaller` on the memory store (no network, no store latency), in microseconds, and where
 * the extra CPU goes (a `node:inspector` CPU profile of each row against the unguarded call's).
 */
import { it } from 'vitest';
import { memoryStore } from '../src/stores/memory/index.js';
import { createBenchRouter } from './harness/bench-router.js';
import { cpuProfile, extraCosts, totalUsPerCall } from './harness/cpu-profile.js';
import { benchTimer, publish } from './harness/publish.js';
import { SETTINGS } from './harness/settings.js';
import { median, percentile, ratio, signed, us } from './harness/stats.js';

const PROFILED_CALLS = 8_000;
const TOP = 8;

it('in-process overhead over the same call unguarded (memory store, createCaller)', async () => {
  const elapsed = benchTimer();
  const { caller } = createBenchRouter(memoryStore());
  await caller.idempotent({ n: 1, idempotencyKey: 'replayed' });
  await caller.guarded({ n: 1, idempotencyKey: 'replayed' });
  let fresh = 0;
  const rows = [
    { name: 'unguarded', goal: undefined, run: () => caller.plain({ n: 1, idempotencyKey: `k${fresh++}` }) },
    {
      name: 'unguarded + an empty tRPC middleware',
      goal: undefined,
      run: () => caller.emptyMiddleware({ n: 1, idempotencyKey: `k${fresh++}` }),
    },
    { name: '3 scopes', goal: 10, run: () => caller.threeScopes({ n: 1 }) },
    {
      name: 'idempotent, first',
      goal: 25,
      run: () => caller.idempotent({ n: 1, idempotencyKey: `k${fresh++}` }),
    },
    {
      name: 'idempotent, replay',
      goal: 15,
      run: () => caller.idempotent({ n: 1, idempotencyKey: 'replayed' }),
    },
    {
      name: '3 scopes + idempotent, first',
      goal: undefined,
      run: () => caller.guarded({ n: 1, idempotencyKey: `k${fresh++}` }),
    },
    {
      name: '3 scopes + idempotent, replay',
      goal: undefined,
      run: () => caller.guarded({ n: 1, idempotencyKey: 'replayed' }),
    },
  ];
  // Warm-up: let the JIT settle on every path before anything is timed.
  for (const row of rows) for (let i = 0; i < 2_000; i++) await row.run();

  const samples = new Map(rows.map((row) => [row.name, [] as number[]]));
  /** Per row, each round's median minus the unguarded call's median in the same round. */
  const roundOverheads = new Map(rows.map((row) => [row.name, [] as number[]]));
  for (let round = 0; round < SETTINGS.inProcessRounds; round++) {
    const roundMedians = new Map<string, number>();
    for (const row of rows) {
      const times: number[] = [];
      for (let i = 0; i < SETTINGS.inProcessBatch; i++) {
        const start = performance.now();
        await row.run();
        times.push((performance.now() - start) * 1000);
      }
      samples.get(row.name)!.push(...times);
      roundMedians.set(row.name, median(times));
    }
    for (const row of rows) {
      roundOverheads.get(row.name)!.push(roundMedians.get(row.name)! - roundMedians.get('unguarded')!);
    }
  }
  /** The machine's speed drifts between rounds on shared cores: compare within a round. */
  const overhead = (name: string) => median(roundOverheads.get(name)!);
  /** The yardstick that does not move with the machine's speed: what any tRPC middleware costs. */
  const middleware = overhead('unguarded + an empty tRPC middleware');

  const profiles = new Map<string, Awaited<ReturnType<typeof cpuProfile>>>();
  for (const row of rows) {
    profiles.set(
      row.name,
      await cpuProfile(async () => {
        for (let i = 0; i < PROFILED_CALLS; i++) await row.run();
      }),
    );
  }
  const baseline = profiles.get('unguarded')!;
  const costRows: string[][] = [];
  for (const row of rows.slice(1)) {
    const extra = extraCosts(profiles.get(row.name)!, baseline, PROFILED_CALLS);
    extra.slice(0, TOP).forEach((cost, rank) => {
      costRows.push([rank === 0 ? row.name : '', `\`${cost.name}\``, cost.file, us(cost.usPerCall)]);
    });
  }

  await publish({
    id: 'in-process',
    title: '2. In-process overhead (memory store, `createCaller`)',
    method:
      `The same procedure and input with and without the guard, called through \`createCaller\` on \`memoryStore()\`: ${SETTINGS.inProcessRounds} interleaved rounds of ${SETTINGS.inProcessBatch} sequential calls per row, after 2,000 warm-up calls each; every call timed alone. ` +
      `Overhead = the median over the rounds of (the row's median in that round − the unguarded call's median in the same round): on shared cores the machine's speed drifts between rounds, and a comparison within each round does not. Then each row ran ${PROFILED_CALLS.toLocaleString('en-US')} calls under the V8 CPU profiler (\`node:inspector\`, 50 µs sampling); its top costs are self time per call by function, minus the same function's in the unguarded profile.`,
    tables: [
      {
        table: {
          head: [
            'call',
            'median µs',
            'p95 µs',
            'overhead µs',
            'goal',
            'overhead in empty tRPC middlewares',
            'CPU µs per call under the profiler',
          ],
          rows: rows.map((row) => {
            const values = samples.get(row.name)!;
            return [
              row.name,
              us(median(values)),
              us(percentile(values, 95)),
              row.name === 'unguarded' ? '–' : signed(overhead(row.name), 1),
              row.goal ? `< ${row.goal}` : '–',
              row.name === 'unguarded' ? '–' : `${ratio(overhead(row.name) / middleware)}×`,
              us(totalUsPerCall(profiles.get(row.name)!, PROFILED_CALLS)),
            ];
          }),
        },
      },
      {
        caption: `**Top CPU costs over the unguarded call** (self time, µs per call; top ${TOP} per row)`,
        table: { head: ['call', 'function', 'file', 'µs per call'], rows: costRows },
      },
    ],
    notes: [
      `An empty tRPC middleware alone costs ${us(overhead('unguarded + an empty tRPC middleware'))} µs here (tRPC's \`callRecursive\` copies the call's options with \`_objectSpread2\` for every middleware): any guard that is a middleware pays it, so the guard's own share of a row is its overhead minus that.`,
      `Microseconds move with the host: machines of this kind whose cores are shared have measured the unguarded call at 11 µs in one run and 21 µs in another (this run: ${us(median(samples.get('unguarded')!))} µs). The overhead counted in empty tRPC middlewares moves far less between such runs than the microseconds do.`,
      '`(garbage collector)` is collection work the row causes beyond the unguarded call; `(program)` is V8 and native work not attributed to a JavaScript function.',
      'File paths under `src/` are the library; function names are as V8 sees them after Vite strips the types, so a line in this table names the function to open.',
    ],
    ...elapsed(),
  });
}, 300_000);
