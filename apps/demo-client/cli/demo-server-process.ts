import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built demo server (`pnpm storm` and `pnpm nemesis` build it first). */
const SERVER_MAIN = fileURLToPath(new URL('../../demo-server/dist/main.js', import.meta.url));

/** A `demo-server` process that is listening. */
export interface DemoServerProcess {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** Its start-up line about the store, e.g. `Redis Cluster via 127.0.0.1:7000,… (ioredis, …)`. */
  store: string;
  child: ChildProcess;
  /** SIGTERM (requests in flight finish, outcomes land), SIGKILL after `timeoutMs`; resolves on exit. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `node demo-server/dist/main.js` with `env` (`PORT=0` for a free port) and resolves once
 * it listens. Each JSON line it logs on stdout (a guardrails event) goes to `onLine`.
 */
export async function spawnDemoServer(
  env: NodeJS.ProcessEnv,
  onLine?: (line: Record<string, unknown>) => void,
): Promise<DemoServerProcess> {
  const child = spawn(process.execPath, [SERVER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!onLine) return;
    try {
      onLine(JSON.parse(text) as Record<string, unknown>);
    } catch {
      // Not a log line.
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  const started = await new Promise<{ url: string; store: string }>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /checkout demo at (http:\/\/\S+?)\/ /.exec(stderr)?.[1];
      if (url) resolve({ url, store: /\[demo-server\] store: (.*)/.exec(stderr)?.[1] ?? 'unknown' });
    });
    child.once('exit', (code) => reject(new Error(`demo-server exited with ${code}:\n${stderr}`)));
  });
  return {
    ...started,
    child,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
