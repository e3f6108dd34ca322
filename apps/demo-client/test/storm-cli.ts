import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const STORM = fileURLToPath(new URL('../dist-cli/storm.js', import.meta.url));

/** Runs the built storm CLI (`pnpm storm -- …args`) and collects its output. */
export function runStorm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [STORM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

/**
 * The environment of a demo server for a storm test: the shared upstash-local, a fresh prefix, and
 * trust in the loopback proxy — the storm plays many shoppers from one machine, each with its own
 * X-Forwarded-For, and by default the demo trusts no proxy and keys IPs on the socket.
 */
export function stormServerEnv(gateway: { url: string; token: string }, name: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    DEMO_STORE: 'upstash',
    UPSTASH_REDIS_REST_URL: gateway.url,
    UPSTASH_REDIS_REST_TOKEN: gateway.token,
    DEMO_PREFIX: `${name}-${randomUUID().slice(0, 8)}`,
    DEMO_TRUST_PROXY: 'loopback',
  };
}
