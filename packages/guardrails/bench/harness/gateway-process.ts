import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { GatewayStats } from 'upstash-local';

/** An upstash-local gateway in a process of its own, so its CPU never shows in the server's. */
export interface GatewayProcess {
  url: string;
  token: string;
  latencyMs: number;
  /** HTTP requests the gateway served since it started. */
  requests(): Promise<number>;
  stats(): Promise<GatewayStats>;
  stop(): Promise<void>;
}

/** The child: starts the gateway, answers `stats` over IPC, stops when its parent goes. */
const CHILD = `
const [entry, options] = process.argv.slice(1);
const { startUpstashLocal } = await import(entry);
const local = await startUpstashLocal(JSON.parse(options));
const stop = () => local.stop().then(() => process.exit(0));
process.on('message', (message) => {
  if (message.op === 'stats') process.send({ id: message.id, stats: local.stats() });
  if (message.op === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.send({ url: local.url, token: local.token });
`;

/**
 * Starts upstash-local in a child process in front of `redisUrl` (several gateways, each with its
 * own added latency, can share one redis-server).
 */
export async function startGatewayProcess(options: {
  redisUrl: string;
  latencyMs: number;
}): Promise<GatewayProcess> {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('upstash-local')).href;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, entry, JSON.stringify(options)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string; token: string }));
    child.once('exit', (code) => reject(new Error(`[bench] the gateway process exited with ${code}`)));
  });
  const waiting = new Map<number, (stats: GatewayStats) => void>();
  let nextId = 0;
  child.on('message', (message: { id?: number; stats?: GatewayStats }) => {
    if (message.id === undefined || !message.stats) return;
    waiting.get(message.id)?.(message.stats);
    waiting.delete(message.id);
  });
  const stats = () =>
    new Promise<GatewayStats>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ op: 'stats', id });
    });
  return {
    url,
    token,
    latencyMs: options.latencyMs,
    stats,
    requests: async () => (await stats()).requests,
    async stop() {
      if (child.exitCode === null) child.send({ op: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
