import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** `pnpm dev` serves the page with hot reload and sends `/trpc` to a running demo-server. */
export default defineConfig({
  plugins: [react()],
  // One React, also for the hook that trpc-guardrails/react imports.
  resolve: { dedupe: ['react', 'react-dom'] },
  server: {
    proxy: { '/trpc': process.env.DEMO_SERVER_URL ?? 'http://127.0.0.1:3000' },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
