import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { detectStoreKind } from 'demo-server';
import { startUpstashLocal, type UpstashLocal } from 'upstash-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER_MAIN = fileURLToPath(new URL('../../demo-server/dist/main.js', import.meta.url));
const STORM = fileURLToPath(new URL('../dist-cli/storm.js', import.meta.url));
const hasRedis = detectStoreKind({ PATH: process.env.PATH }) === 'local';

/** Starts `node demo-server/dist/main.js` on a free port and resolves its URL from the start-up line. */
async function spawnDemoServer(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [SERVER_MAIN], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = stderr.match(/checkout demo at (http:\/\/\S+?)\/ /);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`demo-server exited with ${code}:\n${stderr}`)));
  });
  return { url, child };
}

function runStorm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [STORM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

describe.skipIf(!hasRedis)('storm CLI against three demo-server processes sharing one upstash-local', () => {
  let gateway: UpstashLocal;
  const servers: { url: string; child: ChildProcess }[] = [];

  beforeAll(async () => {
    gateway = await startUpstashLocal();
    const env = {
      DEMO_STORE: 'upstash',
      UPSTASH_REDIS_REST_URL: gateway.url,
      UPSTASH_REDIS_REST_TOKEN: gateway.token,
      DEMO_PREFIX: `storm-test-${randomUUID().slice(0, 8)}`,
      // The storm plays many shoppers from one machine, each with its own X-Forwarded-For: an
      // explicit opt-in, since by default the demo trusts no proxy and keys IPs on the socket.
      DEMO_TRUST_PROXY: 'loopback',
    };
    servers.push(...(await Promise.all([1, 2, 3].map(() => spawnDemoServer(env)))));
  });
  afterAll(async () => {
    for (const { child } of servers) child.kill('SIGTERM');
    await Promise.all(
      servers.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : undefined)),
    );
    await gateway?.stop();
  });

  it('charges every intent exactly once although duplicates hit all three servers', async () => {
    const urls = servers.map((server) => server.url).join(',');
    const { code, stdout, stderr } = await runStorm([
      '--urls',
      urls,
      '--intents',
      '30',
      '--duplicates',
      '12',
      '--flaky',
      '0.15',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.store).toBe('upstash');
    expect(result.ledger.charges).toBe(30);
    expect(result.ledger.executions).toBe(30);
    expect(result.ledger.doubleCharges).toBe(0);
    expect(result.tally.intentsDone).toBe(30);
    expect(result.tally.inconsistentIntents).toBe(0);
    expect(result.tally.requests).toBeGreaterThanOrEqual(30 * 12);
    expect(result.tally.replays).toBeGreaterThan(0);
    expect(result.tally.rateLimited).toBeGreaterThan(0);
    expect(result.tally.lostResponses).toBeGreaterThan(0);
    // Progress went to stderr as plain lines (no TTY here), the summary to stdout.
    expect(stderr).toMatch(/storm: 30\/30 intents/);
  });

  it('prints a summary table, and exits 2 on bad arguments', async () => {
    const bad = await runStorm(['--intents', 'zero']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--intents must be a positive integer');
    const { code, stdout } = await runStorm([
      '--urls',
      servers[0]!.url,
      '--intents',
      '3',
      '--duplicates',
      '4',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/charges\s+–\s+3/);
    expect(stdout).toContain('OK: charges (3) == intents (3)');
  });
});
