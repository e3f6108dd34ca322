import { defineConfig } from 'vitest/config';

/**
 * `pnpm bench`: every `bench/*.bench.ts`, one file at a time (timings need the cores to
 * themselves), each table also written as a fragment that `bench/harness/global-setup.ts` turns
 * into `docs/benchmarks.md` after the last file. Benchmarks print figures and assert nothing;
 * they are not part of `pnpm test`.
 */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    globalSetup: ['bench/harness/global-setup.ts'],
    fileParallelism: false,
    // The memory table reads heap sizes after a full collection.
    execArgv: ['--expose-gc'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
