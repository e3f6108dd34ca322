import { type RedisServer, startRedisServer } from 'upstash-local';
import { parseInfo, redisCli } from 'upstash-local/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStore, uniquePrefix } from '../../store-contract/describe-store.js';
import { CLIENT_KINDS, type ClientKind, singleClient, type TestClient } from '../../testing/redis-clients.js';
import { redisForThisFile } from '../../testing/redis-fixtures.js';
import { startReplica } from '../../testing/redis-replica.js';
import { type RoundTripProxy, startRoundTripProxy } from '../../testing/round-trip-proxy.js';
import { counterOf, fail, incr } from '../../testing/test-scripts.js';
import { ReplicaShortfall } from '../lua/replica-shortfall.js';
import type { ClaimRequest } from '../types.js';
import { redisStore } from './redis-store.js';
import { createScriptRunner } from './script-runner.js';

/** A master with one replica (behind a round-trip counting proxy), and a lone master. */
let replicated: RedisServer;
let replica: RedisServer;
let lonely: RedisServer;
let proxy: RoundTripProxy;

beforeAll(async () => {
  [replicated, lonely] = await Promise.all([startRedisServer(), startRedisServer()]);
  replica = await startReplica(replicated.port);
  proxy = await startRoundTripProxy(replicated.port);
}, 30_000);
afterAll(async () => {
  await proxy?.close();
  await Promise.all([replica, replicated, lonely].map((server) => server?.stop()));
});

const waitCalls = async (port: number) =>
  Number(
    /calls=(\d+)/.exec(parseInfo(await redisCli(port, 'INFO', 'commandstats')).cmdstat_wait ?? '')?.[1] ?? 0,
  );
const durable = <T extends object>(call: T) => ({ ...call, durable: true });
const claimOf = (key: string): ClaimRequest => ({
  key,
  fingerprint: 'fp',
  claimId: crypto.randomUUID(),
  leaseMs: 10_000,
  ttlMs: 60_000,
  graceMs: 2_000,
  deadline: Date.now() + 10_000,
});
const outcome = { kind: 'result', payload: '"paid"' } as const;

describe.each(CLIENT_KINDS)('WAIT after durable calls on one redis-server, %s', (kind: ClientKind) => {
  const clients: TestClient[] = [];
  const connect = async (port: number) => {
    const client = await singleClient(kind, port);
    clients.push(client);
    return client.client;
  };
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  it('closes the pipeline with WAIT: still one round trip, every call with its own reply', async () => {
    const runner = createScriptRunner(await connect(proxy.port), { replicas: { count: 1, timeoutMs: 1000 } });
    const k = uniquePrefix('wait');
    await runner.run([durable(incr(`${k}warm`)), fail(`${k}warm`)]); // loads both scripts
    const before = await waitCalls(replicated.port);
    proxy.reset();

    const results = await runner.run([durable(incr(`${k}a`)), incr(`${k}b`, 2), durable(fail(`${k}c`))]);

    expect(results.map((reply) => (reply instanceof Error ? reply.message : counterOf(reply)))).toEqual([
      1,
      2,
      expect.stringContaining('BOOM'),
    ]);
    expect(proxy.roundTrips).toBe(1);
    expect(await waitCalls(replicated.port)).toBe(before + 1);
    // The replica has the durable write.
    expect(await redisCli(replica.port, 'GET', `${k}a`)).toBe('1\n');

    // A batch without a durable call sends no WAIT.
    await runner.run([incr(`${k}a`)]);
    expect(await waitCalls(replicated.port)).toBe(before + 1);
  });

  it('with too few replicas, a durable call answers ReplicaShortfall after timeoutMs, keeping its reply', async () => {
    const runner = createScriptRunner(await connect(lonely.port), { replicas: { count: 1, timeoutMs: 100 } });
    const k = uniquePrefix('short');
    const start = Date.now();
    const [written, plain] = await runner.run([durable(incr(`${k}a`)), incr(`${k}b`)]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(95);
    expect(written).toBeInstanceOf(ReplicaShortfall);
    expect(written).toMatchObject({ acknowledged: 0, required: 1 });
    expect((written as Error).message).toBe('WAIT: 0 of 1 replica(s) acknowledged the write within 100 ms');
    expect(counterOf((written as ReplicaShortfall).reply)).toBe(1);
    expect(counterOf(plain)).toBe(1);
    // Not rolled back: the master has the write, it just is not durable.
    expect(await redisCli(lonely.port, 'GET', `${k}a`)).toBe('1\n');
  });

  describe('the store with replicas, on a master without them', () => {
    const stores = async () => {
      const client = await connect(lonely.port);
      return {
        waiting: redisStore(client as never, { replicas: { count: 1, timeoutMs: 50 } }),
        plain: redisStore(client as never),
      };
    };

    it('an acquired claim fails (a store error) and is released, so a retry can claim the key', async () => {
      const { waiting, plain } = await stores();
      const key = `${uniquePrefix('claim')}:idem:{k}`;
      await expect(waiting.check({ limits: [], claim: claimOf(key) })).rejects.toThrow(
        /^\[trpc-guardrails\] check failed: WAIT: 0 of 1 replica\(s\) acknowledged/,
      );
      expect(await redisCli(lonely.port, 'EXISTS', key)).toBe('0\n');
      expect((await plain.check({ limits: [], claim: claimOf(key) })).claim?.status).toBe('acquired');
    });

    it('a replay and an in-progress answer stand: they wrote nothing a failover must keep', async () => {
      const { waiting, plain } = await stores();
      const prefix = uniquePrefix('replay');
      const done = claimOf(`${prefix}:idem:{done}`);
      await plain.check({ limits: [], claim: done });
      await plain.complete({ key: done.key, claimId: done.claimId, outcome, ttlMs: 60_000 });
      const running = claimOf(`${prefix}:idem:{running}`);
      await plain.check({ limits: [], claim: running });

      expect((await waiting.check({ limits: [], claim: claimOf(done.key) })).claim).toMatchObject({
        status: 'completed',
        outcome,
      });
      expect((await waiting.check({ limits: [], claim: claimOf(running.key) })).claim?.status).toBe(
        'in-progress',
      );
    });

    it('a stored outcome fails (the guard retries it); a fenced complete answers fenced', async () => {
      const { waiting, plain } = await stores();
      const claim = claimOf(`${uniquePrefix('complete')}:idem:{k}`);
      await plain.check({ limits: [], claim });
      await expect(
        waiting.complete({ key: claim.key, claimId: claim.claimId, outcome, ttlMs: 60_000 }),
      ).rejects.toThrow(/complete failed: WAIT: 0 of 1/);
      expect(await redisCli(lonely.port, 'HGET', claim.key, 's')).toBe('d\n');
      expect(await waiting.complete({ key: claim.key, claimId: 'other', outcome, ttlMs: 60_000 })).toBe(
        'fenced',
      );
    });
  });
});

it('redisStore refuses a replicas option WAIT cannot honour, and says why', async () => {
  const client = await singleClient('ioredis', lonely.port);
  try {
    expect(() => redisStore(client.client as never, { replicas: { count: 0, timeoutMs: 50 } })).toThrow(
      '[trpc-guardrails] redisStore({ replicas: { count } }) must be an integer >= 1, got 0',
    );
    expect(() => redisStore(client.client as never, { replicas: { count: 1, timeoutMs: 0 } })).toThrow(
      /timeoutMs } }\) must be an integer >= 1 \(WAIT with 0 blocks for ever\), got 0/,
    );
  } finally {
    await client.close();
  }
});

const withReplica = redisForThisFile('replicated');
describe.each(CLIENT_KINDS)(
  'redisStore with replicas: { count: 1 } on a master with one replica, %s',
  (kind) => {
    describeStore(
      `redis (${kind}, one replica, WAIT 1)`,
      withReplica.fixture(kind, { replicas: { count: 1, timeoutMs: 1000 } }),
    );
  },
);
