import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { launchDemoNext } from '../launcher/launch';

/** What `inject('demoNext')` returns in the browser tests. */
export interface ProvidedDemoNext {
  url: string;
  store: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    demoNext: ProvidedDemoNext;
  }
}

// Next's output of the run, for a failure in CI (artifacts/ is ignored by git).
const LOG = fileURLToPath(new URL('../../../artifacts/demo-next-server.log', import.meta.url));

/** Starts `next start` on the production build (and a local redis-server behind upstash-local). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const demo = await launchDemoNext({
    port: await freePort(),
    stdio: 'pipe',
    env: { ...process.env, DEMO_STORE: process.env.DEMO_STORE ?? 'local' },
  });
  project.provide('demoNext', { url: demo.url, store: demo.store.kind });
  return async () => {
    await demo.stop();
    mkdirSync(dirname(LOG), { recursive: true });
    writeFileSync(LOG, demo.output());
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
