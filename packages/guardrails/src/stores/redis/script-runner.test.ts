import { Redis as UpstashRedis } from '@upstash/redis';
import { type RedisServer, startRedisServer } from 'upstash-local';
import { redisCli } from 'upstash-local/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_KINDS,
  type ClientKind,
  COMMAND_TIMEOUT_MS,
  singleClient,
  type TestClient,
} from '../../testing/redis-clients.js';
import { type RoundTripProxy, startRoundTripProxy } from '../../testing/round-trip-proxy.js';
import { counterOf, fail, incr } from '../../testing/test-scripts.js';
import { createScriptRunner } from './script-runner.js';

let redis: RedisServer;
let proxy: RoundTripProxy;

beforeAll(async () => {
  redis = await startRedisServer();
  proxy = await startRoundTripProxy(redis.port);
});
afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

let prefixes = 0;
const prefix = () => `runner-${Date.now().toString(36)}-${prefixes++}:`;

/** Settles `promise`, or says it is still pending after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(CLIENT_KINDS)('script runner on one redis-server, %s', (kind: ClientKind) => {
  async function withClient(port: number, run: (client: TestClient) => Promise<void>, settings?: 'defaults') {
    const client = await singleClient(kind, port, settings);
    try {
      await run(client);
    } finally {
      await client.close();
    }
  }

  it('sends a batch as one pipeline: one round trip, each call with its own reply or error', async () => {
    await withClient(proxy.port, async ({ client }) => {
      const trips: [string, number][] = [];
      const runner = createScriptRunner(client, { onRoundTrip: (node, calls) => trips.push([node, calls]) });
      expect(runner.topology).toBe('single');
      const k = prefix();
      await runner.run([incr(`${k}warm`), fail(`${k}warm`)]); // loads both scripts
      proxy.reset();
      trips.length = 0;

      const results = await runner.run([incr(`${k}a`), incr(`${k}b`, 2), fail(`${k}c`), incr(`${k}a`, 3)]);

      expect(results.map((reply) => (reply instanceof Error ? reply.message : counterOf(reply)))).toEqual([
        1,
        2,
        expect.stringContaining(`BOOM ${k}c`),
        4,
      ]);
      expect(results[0]).toEqual([1, expect.anything(), expect.anything()]);
      expect(proxy.roundTrips).toBe(1);
      expect(trips).toEqual([[`127.0.0.1:${proxy.port}`, 4]]);
    });
  });

  it('after SCRIPT FLUSH meets NOSCRIPT, sends the source once (EVAL), then goes back to EVALSHA', async () => {
    await withClient(proxy.port, async ({ client }) => {
      const trips: number[] = [];
      const runner = createScriptRunner(client, { onRoundTrip: (_node, calls) => trips.push(calls) });
      const k = prefix();
      await redisCli(redis.port, 'SCRIPT', 'FLUSH');
      proxy.reset();

      const first = await runner.run([incr(`${k}a`), incr(`${k}b`), fail(`${k}c`)]);
      expect(first.map((reply) => (reply instanceof Error ? reply.message : counterOf(reply)))).toEqual([
        1,
        1,
        expect.stringContaining('BOOM'),
      ]);
      expect({ wire: proxy.roundTrips, trips }).toEqual({ wire: 2, trips: [3, 3] });

      const second = await runner.run([incr(`${k}a`)]);
      expect(counterOf(second[0])).toBe(2);
      expect({ wire: proxy.roundTrips, trips }).toEqual({ wire: 3, trips: [3, 3, 1] });
    });
  });

  it('runs started in one tick share a round trip, each with its own reply', async () => {
    await withClient(proxy.port, async ({ client }) => {
      const trips: number[] = [];
      const runner = createScriptRunner(client, { onRoundTrip: (_node, calls) => trips.push(calls) });
      const k = prefix();
      await runner.run([incr(`${k}warm`), fail(`${k}warm`)]); // loads both scripts
      proxy.reset();
      trips.length = 0;

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => runner.run(i === 7 ? [fail(`${k}c`)] : [incr(`${k}n`, 1)])),
      );

      const errors = results.filter(([reply]) => reply instanceof Error);
      expect(errors).toEqual([[expect.objectContaining({ message: expect.stringContaining(`BOOM ${k}c`) })]]);
      const counters = results.flatMap(([reply]) => (reply instanceof Error ? [] : [counterOf(reply)]));
      expect(counters.sort((a, b) => a - b)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
      expect(proxy.roundTrips).toBe(1);
      // ioredis: one pipeline for all of them (the runner coalesces); node-redis pipelines the
      // commands of one tick into one write by itself, from one batch per run.
      expect(trips).toEqual(kind === 'ioredis' ? [20] : Array(20).fill(1));
    });
  });

  it('an empty batch sends nothing', async () => {
    await withClient(proxy.port, async ({ client }) => {
      proxy.reset();
      expect(await createScriptRunner(client).run([])).toEqual([]);
      expect(proxy.roundTrips).toBe(0);
    });
  });

  it('a hung Redis (SIGSTOP) under a coalesced batch: each call answered once, each command run once', async () => {
    await withClient(redis.port, async ({ client }) => {
      const runner = createScriptRunner(client);
      const k = prefix();
      await runner.run([incr(`${k}n`)]);
      process.kill(redis.pid, 'SIGSTOP');
      let settled: unknown[][] | 'pending';
      try {
        // One call in flight, then 20 in one tick: they leave together, behind it.
        const first = runner.run([incr(`${k}n`)]);
        await new Promise((resolve) => setImmediate(resolve));
        const rest = Array.from({ length: 20 }, () => runner.run([incr(`${k}n`)]));
        settled = (await within(Promise.all([first, ...rest]), COMMAND_TIMEOUT_MS + 1000)) as
          | unknown[][]
          | 'pending';
        if (kind === 'ioredis') {
          expect(settled).not.toBe('pending');
          expect((settled as unknown[][]).every(([reply]) => reply instanceof Error)).toBe(true);
        } else {
          expect(settled).toBe('pending');
        }
      } finally {
        process.kill(redis.pid, 'SIGCONT');
      }
      // Once Redis wakes up, the 21 commands written while it slept run, each once.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(counterOf((await runner.run([incr(`${k}n`)]))[0])).toBe(23);
    });
  });

  it('a hung Redis (SIGSTOP): ioredis times out (commandTimeout), node-redis waits for the answer', async () => {
    await withClient(redis.port, async ({ client }) => {
      const runner = createScriptRunner(client);
      const k = prefix();
      await runner.run([incr(`${k}a`)]);
      process.kill(redis.pid, 'SIGSTOP');
      const start = Date.now();
      const running = runner.run([incr(`${k}a`), incr(`${k}b`)]);
      let settled: Awaited<typeof running> | 'pending';
      try {
        settled = await within(running, COMMAND_TIMEOUT_MS + 1000);
      } finally {
        process.kill(redis.pid, 'SIGCONT');
      }
      const elapsed = Date.now() - start;
      if (kind === 'ioredis') {
        expect(settled).not.toBe('pending');
        expect((settled as unknown[]).every((reply) => reply instanceof Error)).toBe(true);
        expect(elapsed).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 50);
        console.info(`[${kind}] hung Redis: ${elapsed} ms, ${(settled as Error[])[0]!.message}`);
      } else {
        // node-redis times out only commands still waiting to be written: the store's own
        // timeout is what bounds a call to a hung Redis.
        expect(settled).toBe('pending');
        expect((await running).map(counterOf)).toEqual([2, 1]);
      }
      // Timed out or not, the commands ran once Redis woke up: a timeout is not a "no".
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(counterOf((await runner.run([incr(`${k}a`)]))[0])).toBe(3);
    });
  });

  it('a dead Redis (SIGKILL): fail-fast settings answer every call with an error within 2 s', async () => {
    const doomed = await startRedisServer();
    try {
      await withClient(doomed.port, async ({ client }) => {
        const runner = createScriptRunner(client);
        await runner.run([incr('a')]);
        process.kill(doomed.pid, 'SIGKILL');
        const start = Date.now();
        const inFlight = await runner.run([incr('a'), incr('b')]);
        const noticed = await runner.run([incr('a')]);
        const elapsed = Date.now() - start;
        expect([...inFlight, ...noticed].every((reply) => reply instanceof Error)).toBe(true);
        expect(elapsed).toBeLessThan(2000);
        console.info(
          `[${kind}] dead Redis, fail-fast: ${elapsed} ms; in flight: ${(inFlight[0] as Error).message}; ` +
            `then: ${(noticed[0] as Error).message}`,
        );
      });
    } finally {
      await doomed.stop();
    }
  });

  it("a dead Redis with the client's defaults: calls wait in its offline queue (node-redis: 5 s)", async () => {
    const doomed = await startRedisServer();
    try {
      const { client, close } = await singleClient(kind, doomed.port, 'defaults');
      const runner = createScriptRunner(client);
      await runner.run([incr('a')]);
      process.kill(doomed.pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 300)); // the client notices and reconnects
      const start = Date.now();
      const running = runner.run([incr('a'), incr('b')]);
      expect(await within(running, 2500)).toBe('pending');
      if (kind === 'node-redis') {
        // Its default command timeout (5 s) applies to commands waiting to be written.
        const results = await within(running, 4000);
        expect(results).not.toBe('pending');
        expect((results as unknown[]).every((reply) => reply instanceof Error)).toBe(true);
        console.info(
          `[${kind}] dead Redis, defaults: ${Date.now() - start} ms, ${(results as Error[])[0]!.message}`,
        );
      } else {
        // ioredis gives up after maxRetriesPerRequest (20) reconnect attempts: about 70 s.
        await close();
        const afterClose = await within(running, 500);
        console.info(
          `[${kind}] dead Redis, defaults: pending after 2.5 s; 500 ms after disconnect(): ${afterClose === 'pending' ? 'still pending' : 'settled'}`,
        );
      }
      await close();
    } finally {
      await doomed.stop();
    }
  });
});

describe('createScriptRunner', () => {
  it('refuses what is neither ioredis nor node-redis, @upstash/redis included, and says what it needs', () => {
    const upstash = new UpstashRedis({ url: 'http://127.0.0.1:1', token: 't' });
    for (const client of [upstash, {}, null, 'redis://localhost:6379']) {
      expect(() => createScriptRunner(client)).toThrow(/needs an ioredis client .* or a node-redis client/);
    }
  });
});
