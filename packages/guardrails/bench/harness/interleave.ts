import { setTimeout as sleep } from 'node:timers/promises';
import { median, percentile } from './stats.js';

/** One row of a latency table: `run(i)` makes call `i` of that row. */
export interface TimedRow {
  name: string;
  run: (i: number) => Promise<unknown>;
}

export interface Timing {
  median: number;
  p95: number;
  samples: number[];
}

export function timing(samples: number[]): Timing {
  return { median: median(samples), p95: percentile(samples, 95), samples };
}

/**
 * Calls every row once per round, in the given order, for `calls` rounds, after `warmup` rounds
 * that are not timed — and, with `warmupMs`, after untimed rounds for at least that long (a cold
 * HTTP client and gateway answer 2–3× slower for their first few hundred requests). Drift on a
 * shared machine spreads over all rows alike. Replay rows may follow the row whose call `i`
 * created the record they replay. Milliseconds per call.
 */
export async function interleave(
  rows: readonly TimedRow[],
  calls: number,
  warmup = 2,
  warmupMs = 0,
): Promise<Map<string, Timing>> {
  const warmUntil = performance.now() + warmupMs;
  let extra = 0;
  while (performance.now() < warmUntil) {
    // Indexes of their own, apart from the counted warm-up rounds', the timed ones and `requestsPerCall`'s.
    for (const row of rows) await row.run(3_000_000 + extra);
    extra++;
  }
  const samples = new Map(rows.map((row) => [row.name, [] as number[]]));
  for (let round = -warmup; round < calls; round++) {
    for (const row of rows) {
      // Warm-up rounds use indexes of their own, so timed calls still meet fresh keys.
      const index = round < 0 ? 1_000_000 + round : round;
      const start = performance.now();
      await row.run(index);
      const elapsed = performance.now() - start;
      if (round >= 0) samples.get(row.name)!.push(elapsed);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, timing(values)]));
}

/**
 * Store requests per call: `run` is called `calls` times, each followed by `settleMs` so that
 * work the answer left behind (a release, a background complete) is counted with its call.
 */
export async function requestsPerCall(
  requests: () => Promise<number>,
  run: (i: number) => Promise<unknown>,
  options: { calls?: number; settleMs: number; firstIndex?: number },
): Promise<number> {
  const { calls = 3, settleMs, firstIndex = 2_000_000 } = options;
  const before = await requests();
  for (let i = 0; i < calls; i++) {
    await run(firstIndex + i).catch(() => undefined);
    await sleep(settleMs);
  }
  return ((await requests()) - before) / calls;
}
