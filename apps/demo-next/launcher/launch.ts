import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type LaunchedStore, startStore } from './start-store.js';

/** The app folder (apps/demo-next), from `launcher/` and from `dist-launcher/` alike. */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

export interface LaunchOptions {
  /** @default 3001 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Read for the store choice and passed to Next with the store's variables. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** `'inherit'`: Next's output goes to this terminal; `'pipe'`: kept for `output()`. @default 'inherit' */
  stdio?: 'inherit' | 'pipe';
  /** @default 30_000 */
  readyTimeoutMs?: number;
}

export interface DemoNext {
  /** e.g. `http://127.0.0.1:3001` */
  url: string;
  store: Pick<LaunchedStore, 'kind' | 'description'>;
  /** What Next printed so far (with `stdio: 'pipe'`). */
  output(): string;
  /** Settles when `next start` exits, with its exit code (or signal). */
  exited: Promise<number | string>;
  /** Stops `next start` (SIGTERM, then SIGKILL after 5 s), then the store. */
  stop(): Promise<void>;
}

/**
 * Starts the store (see `startStore`), then `next start` on the production build with the
 * store's `UPSTASH_REDIS_REST_*`, and resolves once the app answers.
 */
export async function launchDemoNext(options: LaunchOptions = {}): Promise<DemoNext> {
  const { port = 3001, host = '127.0.0.1', env = process.env, stdio = 'inherit' } = options;
  if (!existsSync(new URL('../.next/BUILD_ID', import.meta.url))) {
    throw new Error(
      'apps/demo-next has no production build: run `pnpm demo:next` (it builds first) or `pnpm --filter demo-next build`',
    );
  }
  const store = await startStore(env);
  let output = '';
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '--port', String(port), '--hostname', host], {
    cwd: APP_DIR,
    env: {
      ...env,
      ...store.env,
      NEXT_TELEMETRY_DISABLED: '1',
      // Only this machine can connect: every caller's address is loopback (see caller-address.ts).
      DEMO_LOOPBACK_ONLY: isLoopback(host) ? '1' : '0',
    },
    stdio: ['ignore', stdio, stdio],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const stop = async () => {
    await stopChild(child);
    await store.stop();
  };
  try {
    await waitUntilReady(url, child, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    url,
    store: { kind: store.kind, description: store.description },
    output: () => output,
    exited,
    stop,
  };
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`next start exited (${child.exitCode ?? child.signalCode}) before answering at ${url}`);
    }
    const ready = await fetch(`${url}/api/stats`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`next start did not answer at ${url} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
