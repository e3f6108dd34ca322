import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Each file starts real redis-server processes; generous timeouts keep a busy 2-core CI green.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
