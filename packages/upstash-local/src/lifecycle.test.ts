import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from '@upstash/redis';
import { describe, expect, it } from 'vitest';
import { RedisConnection } from './resp/RedisConnection.js';
import { startUpstashLocal } from './startUpstashLocal.js';
import { isProcessAlive, waitForExit } from './testing/isProcessAlive.js';
import { postJson } from './testing/postJson.js';

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('lifecycle', () => {
  it('starts fast and stop() kills its redis-server', async () => {
    const started = performance.now();
    const local = await startUpstashLocal();
    expect(performance.now() - started).toBeLessThan(2000); // ~150 ms here; loose for slow CI
    const pid = local.redisPid!;
    expect(isProcessAlive(pid)).toBe(true);
    await local.stop();
    expect(isProcessAlive(pid)).toBe(false);
    await local.stop(); // idempotent
  });

  it('leaves no redis-server behind when its parent is SIGKILLed', async () => {
    expect(existsSync(distIndex), 'run `pnpm build` first (the test script does it in pretest)').toBe(true);
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { startUpstashLocal } = await import(${JSON.stringify(distIndex)});
         const local = await startUpstashLocal();
         console.log(JSON.stringify({ pid: local.redisPid }));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = await createInterface({ input: child.stdout! })
      [Symbol.asyncIterator]()
      .next()
      .then((r) => [r.value]);
    const { pid } = JSON.parse(line) as { pid: number };
    expect(isProcessAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitForExit(pid, 5000)).toBe(true);
  });

  it('startRedisServer() passes extra args (a cluster node here), and its server dies with its parent', async () => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { findFreePort, startRedisServer } = await import(${JSON.stringify(distIndex)});
         const busPort = String(await findFreePort());
         const redis = await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-port', busPort] });
         console.log(JSON.stringify({ pid: redis.pid, port: redis.port }));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = await createInterface({ input: child.stdout! })
      [Symbol.asyncIterator]()
      .next()
      .then((r) => [r.value]);
    const { pid, port } = JSON.parse(line) as { pid: number; port: number };
    const conn = await RedisConnection.open({ host: '127.0.0.1', port });
    const [info] = await conn.send([['CLUSTER', 'INFO']]);
    conn.close();
    expect(String(info)).toContain('cluster_state:fail'); // a lone cluster node, no slots yet
    child.kill('SIGKILL');
    expect(await waitForExit(pid, 5000)).toBe(true);
  });

  it('rejects at once with install hints when redis-server is missing', async () => {
    const started = performance.now();
    const error = await startUpstashLocal({ redisServer: '/nonexistent/redis-server' }).catch(
      (e: Error) => e,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^\[upstash-local\] Cannot find redis-server/);
    expect((error as Error).message).toMatch(/apt-get install -y redis-server/);
    expect((error as Error).message).toMatch(/brew install redis/);
    expect((error as Error).message).toMatch(/redisUrl/);
  });

  it('uses an existing Redis with redisUrl and leaves it running on stop()', async () => {
    const owner = await startUpstashLocal();
    const guest = await startUpstashLocal({ redisUrl: owner.redisUrl });
    expect(guest.redisPid).toBeUndefined();
    expect(guest.redisUrl).toBe(owner.redisUrl);
    await new Redis({ url: guest.url, token: guest.token }).set('shared', 'yes');
    await guest.stop();
    expect(isProcessAlive(owner.redisPid!)).toBe(true);
    expect(await new Redis({ url: owner.url, token: owner.token }).get('shared')).toBe('yes');
    await owner.stop();
  });

  it('rejects a redisUrl where nothing listens, with a clear message', async () => {
    const owner = await startUpstashLocal();
    const deadUrl = owner.redisUrl;
    await owner.stop();
    await expect(startUpstashLocal({ redisUrl: deadUrl })).rejects.toThrow(
      /\[upstash-local\] Cannot connect to Redis/,
    );
  });

  it('answers 500 instead of hanging when Redis dies under it', async () => {
    const local = await startUpstashLocal();
    expect((await postJson(local.url, ['PING'], { token: local.token })).status).toBe(200);
    process.kill(local.redisPid!, 'SIGKILL');
    await waitForExit(local.redisPid!);
    const res = await postJson(local.url, ['PING'], { token: local.token });
    expect(res.status).toBe(500);
    expect(res.json.error).toMatch(/^\[upstash-local\] /);
    await local.stop();
  });

  it('adds latencyMs to every request', async () => {
    const local = await startUpstashLocal({ latencyMs: 150 });
    const started = performance.now();
    await postJson(local.url, ['PING'], { token: local.token });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    await local.stop();
  });

  it('binds the configured port and logs one line per request', async () => {
    const lines: string[] = [];
    const probe = await startUpstashLocal();
    const port = Number(new URL(probe.url).port);
    await probe.stop(); // frees a port we know was bindable
    const local = await startUpstashLocal({ port, token: 'fixed-token', log: (line) => lines.push(line) });
    expect(local.url).toBe(`http://127.0.0.1:${port}`);
    expect(local.token).toBe('fixed-token');
    await postJson(local.url, ['PING'], { token: 'fixed-token' });
    expect(lines).toEqual([expect.stringMatching(/^POST \/ 200 [\d.]+ms$/)]);
    await local.stop();
  });

  it('validates options', async () => {
    await expect(startUpstashLocal({ port: -1 })).rejects.toThrow(/port must be an integer/);
    await expect(startUpstashLocal({ latencyMs: Number.NaN })).rejects.toThrow(/latencyMs must be/);
    await expect(startUpstashLocal({ redisUrl: 'http://x' })).rejects.toThrow(/only redis:\/\//);
  });
});
