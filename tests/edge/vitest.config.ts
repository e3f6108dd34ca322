import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real redis-server behind upstash-local for the run; the edge functions reach it over HTTP.
    globalSetup: ['upstash-local/vitest-setup'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
