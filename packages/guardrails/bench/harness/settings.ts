/**
 * The knobs of `pnpm bench`, each overridable from the environment for a quicker or longer run.
 * The defaults keep the whole run under 10 minutes on 2 cores.
 */
const number = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export const SETTINGS = {
  /** Latency the gateway (and the TCP proxy) adds to every store request, per row of a latency table. */
  latenciesMs: [0, 5, 20] as const,
  /** Interleaved calls per row of a latency table. */
  calls: number('BENCH_CALLS', 41),
  /**
   * Interleaved calls per row of the floor table (table 1), whose half-millisecond goal needs
   * steadier medians than the other latency tables.
   */
  floorCalls: number('BENCH_FLOOR_CALLS', 121),
  /**
   * Untimed rounds before the floor and scale tables time anything, per latency: a cold HTTP
   * client and gateway answer 2–3× slower for their first few hundred requests.
   */
  warmupMs: number('BENCH_WARMUP_MS', 3_000),
  /** Seconds of each autocannon run (each row runs twice, after a 1 s warm-up). */
  throughputSeconds: number('BENCH_SECONDS', 2),
  /** Connections of the throughput table. */
  connections: [1, 8, 32, 128] as const,
  /** Keys of the memory-store table. */
  memoryKeys: number('BENCH_KEYS', 1_000_000),
  /** Rounds × calls of the in-process table. */
  inProcessRounds: number('BENCH_ROUNDS', 25),
  inProcessBatch: 400,
} as const;

/** A limit no bench reaches, so every call is allowed unless a row says otherwise. */
export const UNLIMITED = 1_000_000_000;
