import { defineConfig } from 'vitest/config';

/** Benchmarks print figures and assert nothing; they are not part of `pnpm test`. */
export default defineConfig({
  test: { include: ['bench/**/*.bench.ts'], testTimeout: 120_000, hookTimeout: 30_000 },
});
