import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // npm installs from the registry: minutes, not seconds.
    testTimeout: 240_000,
    hookTimeout: 600_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
