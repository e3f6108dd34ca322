import { connect } from 'node:net';
import { detectStoreKind } from 'demo-server';
import { startUpstashLocal, type UpstashLocal } from 'upstash-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServerProcess, spawnDemoServer } from '../cli/demo-server-process.js';
import { runStorm, stormServerEnv } from './storm-cli.js';

const hasRedis = detectStoreKind({ PATH: process.env.PATH }) === 'local';

describe.skipIf(!hasRedis)('storm CLI against three demo-server processes sharing one upstash-local', () => {
  let gateway: UpstashLocal;
  const servers: DemoServerProcess[] = [];

  beforeAll(async () => {
    gateway = await startUpstashLocal();
    const env = stormServerEnv(gateway, 'storm-test');
    servers.push(...(await Promise.all([1, 2, 3].map(() => spawnDemoServer(env)))));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
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

/** Whether something accepts TCP connections on a loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(!hasRedis)(
  'storm CLI with --servers 3 --cluster: three demo-server processes on a real Redis Cluster',
  () => {
    it('charges every intent exactly once (redisStore on ioredis), and leaves no redis-server behind', async () => {
      const { code, stdout, stderr } = await runStorm([
        '--servers',
        '3',
        '--cluster',
        '--intents',
        '30',
        '--duplicates',
        '8',
        '--flaky',
        '0.1',
        '--json',
      ]);
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout);
      expect(stderr).toMatch(
        /storm: 3 demo-server process\(es\) on a Redis Cluster of 3 masters \+ 3 replicas/,
      );
      expect(result.fleet.description).toMatch(/store: Redis Cluster via 127\.0\.0\.1:\d+/);
      expect(result.store).toBe('redis');
      expect(result.options.urls).toHaveLength(3);
      expect(result.ledger.executions).toBe(30);
      expect(result.ledger.charges).toBe(30);
      expect(result.ledger.doubleCharges).toBe(0);
      expect(result.tally.intentsDone).toBe(30);
      expect(result.tally.inconsistentIntents).toBe(0);
      expect(result.tally.replays).toBeGreaterThan(0);
      expect(result.fleet.redisPorts).toHaveLength(6);
      for (const port of result.fleet.redisPorts) expect(await listening(port), `port ${port}`).toBe(false);
    }, 90_000);

    it('refuses --urls together with --servers', async () => {
      const bad = await runStorm(['--urls', 'http://127.0.0.1:3000', '--servers', '2']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--urls names servers that run already');
    });
  },
);
