import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoadSamples {
  /** Milliseconds per call. */
  latencies: number[];
  /** The event loop's delay as Node measured it during the run (ms): p99.9 and max. */
  loopP999: number;
  loopMax: number;
}

/**
 * `workers` callers in this process, each making calls back to back (yielding to the event loop
 * in between) for `durationMs`: a closed loop at the rate the process can serve. Every call's
 * latency is kept.
 */
export async function closedLoop(
  call: (i: number) => Promise<unknown>,
  options: { workers: number; durationMs: number },
): Promise<LoadSamples> {
  const latencies: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const until = performance.now() + options.durationMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      while (performance.now() < until) {
        const start = performance.now();
        await call(next++);
        latencies.push(performance.now() - start);
        // A server's calls arrive as I/O: yield to the event loop between them, or an
        // in-memory store's calls would chain as microtasks and starve every timer.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  loop.disable();
  return { latencies, loopP999: loop.percentile(99.9) / 1e6, loopMax: loop.max / 1e6 };
}
