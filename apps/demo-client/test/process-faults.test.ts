import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { detectStoreKind } from 'demo-server';
import { startFaultProxy, startUpstashLocalProcess } from 'upstash-local/faults';
import { describe, expect, it } from 'vitest';
import { createStormClient } from '../cli/storm-client.js';

const SERVER_MAIN = fileURLToPath(new URL('../../demo-server/dist/main.js', import.meta.url));
const hasRedis = detectStoreKind({ PATH: process.env.PATH }) === 'local';

function spawnServer(env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], {
    env: { ...process.env, PORT: '0', DEMO_PROVIDER_DELAY_MS: '50', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = stderr.match(/checkout demo at (http:\/\/\S+?)\/ /);
      if (match) resolve(match[1]!);
    });
    void exit.then((code) => reject(new Error(`demo-server exited with ${code}:\n${stderr}`)));
  });
  return { child, lines, exit, url };
}

describe.skipIf(!hasRedis)('SIGTERM of a demo server while an outcome waits for the store', () => {
  it('lands the outcome before the process exits; a retry elsewhere replays it', async () => {
    const gateway = await startUpstashLocalProcess();
    const proxy = await startFaultProxy(gateway.url);
    const env = {
      DEMO_STORE: 'upstash',
      UPSTASH_REDIS_REST_TOKEN: gateway.token,
      DEMO_PREFIX: `shutdown-${randomUUID().slice(0, 8)}`,
    };
    const owner = spawnServer({ ...env, UPSTASH_REDIS_REST_URL: proxy.url });
    const other = spawnServer({ ...env, UPSTASH_REDIS_REST_URL: gateway.url });
    try {
      const pay = { amountCents: 700, idempotencyKey: randomUUID() };
      const headers = { 'x-demo-user': 'sigterm' };
      // The store goes away right after the provider wrote the charge: the complete cannot land.
      proxy.switchAfter('staleAttempts', 'unavailable');
      const first = await createStormClient(await owner.url).checkout.pay.mutate(pay, {
        context: { headers },
      });
      expect(proxy.mode).toBe('unavailable');
      owner.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(owner.child.exitCode).toBeNull(); // still waiting for its outcome to land
      proxy.mode = 'pass';
      expect(await owner.exit).toBe(0);
      const logged = owner.lines.map((line) => JSON.parse(line) as { outcome?: string; key?: string });
      expect(logged.filter((line) => line.key === pay.idempotencyKey).map((line) => line.outcome)).toEqual([
        'store-error:retry',
        'executed',
        'outcome-stored',
      ]);
      const replay = await createStormClient(await other.url).checkout.pay.mutate(pay, {
        context: { headers },
      });
      expect(replay).toEqual(first);
      const charges = await createStormClient(await other.url).ledger.lookup.query({
        owner: 'sigterm',
        idempotencyKey: pay.idempotencyKey,
      });
      expect(charges).toHaveLength(1);
    } finally {
      owner.child.kill('SIGKILL');
      other.child.kill('SIGKILL');
      await proxy.close();
      await gateway.stop();
    }
  }, 60_000);
});

/** Rethrows `error` with the server's event log, so a failure in CI says what the server saw. */
function withLog(what: string, lines: readonly string[]) {
  return (error: unknown): never => {
    throw new Error(`${what} failed: ${String(error)}\nserver log:\n${lines.join('\n')}`, { cause: error });
  };
}

describe.skipIf(!hasRedis)('a demo server paused past its lease (a stale owner)', () => {
  it('is taken over; when it wakes up the provider refuses its older fencing token: one charge, one answer', async () => {
    const gateway = await startUpstashLocalProcess();
    const env = {
      DEMO_STORE: 'upstash',
      UPSTASH_REDIS_REST_URL: gateway.url,
      UPSTASH_REDIS_REST_TOKEN: gateway.token,
      DEMO_PREFIX: `stale-${randomUUID().slice(0, 8)}`,
      DEMO_LEASE: '1 s',
      DEMO_PROVIDER_DELAY_MS: '3000',
    };
    const stale = spawnServer(env);
    const fresh = spawnServer(env);
    try {
      const pay = { amountCents: 900, idempotencyKey: randomUUID() };
      const headers = { 'x-demo-user': 'paused' };
      // A warm server: on a loaded machine a cold first call can outlast the pause below, which
      // must land inside the provider's delay, not in the store check.
      await createStormClient(await stale.url).ledger.stats.query();
      const first = createStormClient(await stale.url).checkout.pay.mutate(pay, { context: { headers } });
      await new Promise((resolve) => setTimeout(resolve, 1000)); // inside the provider's delay
      stale.child.kill('SIGSTOP');
      // The lease (1 s) and the takeover grace (1 s) lapse; the retry takes over and charges.
      const retried = await createStormClient(await fresh.url)
        .checkout.pay.mutate(pay, { context: { headers } })
        .catch(withLog('the retry', fresh.lines));
      stale.child.kill('SIGCONT');
      expect(await first.catch(withLog('the paused call', stale.lines))).toEqual(retried);
      const client = createStormClient(await fresh.url);
      expect(
        await client.ledger.lookup.query({ owner: 'paused', idempotencyKey: pay.idempotencyKey }),
      ).toHaveLength(1);
      expect(await client.ledger.stats.query()).toMatchObject({
        charges: 1,
        staleAttempts: 1,
        doubleCharges: 0,
      });
      const staleLog = stale.lines.map((line) => JSON.parse(line) as { outcome?: string; reason?: string });
      expect(staleLog).toContainEqual(expect.objectContaining({ outcome: 'outcome-lost', reason: 'fenced' }));
    } finally {
      stale.child.kill('SIGCONT');
      stale.child.kill('SIGKILL');
      fresh.child.kill('SIGKILL');
      await gateway.stop();
    }
  }, 60_000);
});
