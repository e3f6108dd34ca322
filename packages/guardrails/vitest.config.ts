import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    server: {
      deps: {
        // tRPC's Next.js adapter imports `next/navigation`, which Node's own ESM loader cannot
        // resolve (Next has no `exports` map; its bundler resolves it): let Vite load it.
        inline: [/@trpc\/server\/dist\/adapters\/next-app-dir/],
      },
    },
  },
});
