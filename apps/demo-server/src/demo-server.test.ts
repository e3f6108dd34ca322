import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import { type RedisServer, startRedisServer } from 'upstash-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLedger } from './memory-ledger.js';
import { fakePaymentProvider } from './payment-provider.js';
import { redisLedger } from './redis-ledger.js';
import type { AppRouter } from './router.js';
import { type DemoServer, REQUEST_LIMITS, startDemoServer } from './server.js';
import { detectStoreKind, type StoreKind, selectStore } from './store-selection.js';

const hasRedis = detectStoreKind({ PATH: process.env.PATH }) === 'local';
/** Every store the machine can run: `redis` is ioredis on a private redis-server (`REDIS_URL`). */
const kinds: StoreKind[] = hasRedis ? ['local', 'redis', 'memory'] : ['memory'];

/** The environment a kind needs: `redis` gets a private redis-server of its own. */
async function envFor(kind: StoreKind): Promise<{ env: NodeJS.ProcessEnv; stop(): Promise<void> }> {
  if (kind !== 'redis') return { env: { PATH: process.env.PATH }, stop: async () => {} };
  const redis: RedisServer = await startRedisServer();
  return { env: { REDIS_URL: redis.url }, stop: () => redis.stop() };
}

/** A typed client acting as one demo user; `headers` holds the latest response's headers. */
function clientFor(server: DemoServer, user: string, extraHeaders: Record<string, string> = {}) {
  const seen: { headers?: Headers; status?: number } = {};
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${server.url}/trpc`,
        transformer: superjson,
        headers: () => ({ 'x-demo-user': user, ...extraHeaders }),
        fetch: async (input, init) => {
          const response = await fetch(input as string, init as RequestInit);
          seen.headers = response.headers;
          seen.status = response.status;
          return response;
        },
      }),
    ],
  });
  return { client, seen };
}

describe.each<StoreKind>(kinds)('demo server on the %s store', (kind) => {
  let server: DemoServer;
  let backend: Awaited<ReturnType<typeof envFor>> | undefined;
  const logs: string[] = [];
  const user = () => `u-${randomUUID().slice(0, 8)}`;
  const stats = () => clientFor(server, 'alice').client.ledger.stats.query();

  beforeAll(async () => {
    backend = await envFor(kind);
    server = await startDemoServer({
      store: kind,
      env: backend.env,
      prefix: `demo-test-${randomUUID().slice(0, 8)}`,
      providerDelayMs: 80,
      limits: { ip: { limit: 10_000, window: '10 s' }, user: { limit: 3, window: '10 s' } },
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await server?.close();
    await backend?.stop();
  });

  it('reports the store it runs on', async () => {
    expect(server.store.kind).toBe(kind);
    expect((await stats()).store).toBe(kind);
  });

  it('charges a double submit once and replays the same typed result', async () => {
    const before = await stats();
    const { client } = clientFor(server, user());
    const pay = { amountCents: 1250, idempotencyKey: randomUUID() };
    const [first, second] = await Promise.all([
      client.checkout.pay.mutate(pay),
      client.checkout.pay.mutate(pay),
    ]);
    expect(second).toEqual(first);
    expect(second.chargedAt).toBeInstanceOf(Date);
    const after = await stats();
    expect(after.charges - before.charges).toBe(1);
    expect(after.executions - before.executions).toBe(1);
    expect(after.replays - before.replays).toBe(1);
    expect(after.doubleCharges).toBe(0);
  });

  it('runs a redelivered webhook once', async () => {
    const before = await stats();
    const provider = clientFor(server, 'payment-provider');
    const event = { eventId: `evt_${randomUUID()}`, type: 'charge.succeeded' as const, chargeId: 'ch_1' };
    const deliveries = await Promise.all([1, 2, 3].map(() => provider.client.webhooks.payment.mutate(event)));
    const late = await provider.client.webhooks.payment.mutate(event);
    expect(provider.seen.headers?.get('idempotent-replayed')).toBe('true');
    for (const delivery of [...deliveries, late]) expect(delivery).toEqual(deliveries[0]);
    expect((await stats()).webhooks - before.webhooks).toBe(1);
  });

  it('answers 429 with retryAfter past the user limit, and charges nothing more', async () => {
    // A sliding window weighs the previous one: four calls straddling a 10 s edge could pass.
    const toEdge = 10_000 - (Date.now() % 10_000);
    if (toEdge < 2_000) await new Promise((resolve) => setTimeout(resolve, toEdge + 50));
    const { client, seen } = clientFor(server, user());
    const pay = { amountCents: 500, idempotencyKey: randomUUID() };
    for (let i = 0; i < 3; i++) await client.checkout.pay.mutate(pay);
    const before = await stats();
    const error = await client.checkout.pay.mutate(pay).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<AppRouter>).data;
    expect(data?.httpStatus).toBe(429);
    expect(data?.guardrails).toMatchObject({ kind: 'rate-limit', scope: 'user', limit: 3 });
    expect(data?.guardrails?.kind === 'rate-limit' && data.guardrails.retryAfter).toBeGreaterThan(0);
    expect(Number(seen.headers?.get('retry-after'))).toBeGreaterThan(0);
    const after = await stats();
    expect(after.charges).toBe(before.charges);
    expect(after.limited - before.limited).toBe(1);
  });

  it('loses the response of a flaky call after the charge; the retry with the same key replays it', async () => {
    const who = user();
    const before = await stats();
    const pay = { amountCents: 990, idempotencyKey: randomUUID() };
    const flaky = clientFor(server, who, { 'x-demo-flaky': randomUUID() });
    const lost = await flaky.client.checkout.pay.mutate(pay).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(TRPCClientError);
    expect((lost as TRPCClientError<AppRouter>).data).toBeUndefined();
    const retry = clientFor(server, who);
    const result = await retry.client.checkout.pay.mutate(pay);
    expect(retry.seen.headers?.get('idempotent-replayed')).toBe('true');
    expect(result).toMatchObject({ user: who, amountCents: 990 });
    const after = await stats();
    expect(after.charges - before.charges).toBe(1);
    expect(after.droppedResponses - before.droppedResponses).toBe(1);
    expect(after.recentCharges[0]).toMatchObject({
      chargeId: result.chargeId,
      idempotencyKey: pay.idempotencyKey,
    });
  });

  it('keeps owners apart, refuses a changed amount, and replays a declined card', async () => {
    const key = randomUUID();
    const before = await stats();
    const alice = clientFor(server, user()).client;
    const bob = clientFor(server, user()).client;
    const a = await alice.checkout.pay.mutate({ amountCents: 100, idempotencyKey: key });
    const b = await bob.checkout.pay.mutate({ amountCents: 100, idempotencyKey: key });
    expect(a.chargeId).not.toBe(b.chargeId);
    const mismatch = await alice.checkout.pay
      .mutate({ amountCents: 200, idempotencyKey: key })
      .catch((e) => e);
    expect((mismatch as TRPCClientError<AppRouter>).data?.httpStatus).toBe(422);
    const declined = { amountCents: 1337, idempotencyKey: randomUUID() };
    const first = await bob.checkout.pay.mutate(declined).catch((e) => e);
    const again = await bob.checkout.pay.mutate(declined).catch((e) => e);
    expect((first as TRPCClientError<AppRouter>).data?.code).toBe('PAYMENT_REQUIRED');
    expect((again as TRPCClientError<AppRouter>).message).toBe((first as TRPCClientError<AppRouter>).message);
    const after = await stats();
    expect(after.charges - before.charges).toBe(2);
    expect(after.executions - before.executions).toBe(3);
  });

  it('creates an invoice once per key, with Date and BigInt intact on replay', async () => {
    const { client } = clientFor(server, user());
    const input = { customer: 'ACME', amountCents: 4200, idempotencyKey: randomUUID() };
    const first = await client.invoices.create.mutate(input);
    const replay = await client.invoices.create.mutate(input);
    expect(replay).toEqual(first);
    expect(replay.total).toBe(4200n);
    expect(replay.createdAt).toBeInstanceOf(Date);
  });

  it('logs one JSON line per guarded call with path, owner, key and outcome', async () => {
    const who = user();
    const key = randomUUID();
    const { client } = clientFor(server, who);
    await client.checkout.pay.mutate({ amountCents: 1, idempotencyKey: key });
    await client.checkout.pay.mutate({ amountCents: 1, idempotencyKey: key });
    const lines = logs.map((line) => JSON.parse(line)).filter((line) => line.key === key);
    expect(lines).toEqual([
      expect.objectContaining({ path: 'checkout.pay', owner: who, key, outcome: 'executed' }),
      expect.objectContaining({ path: 'checkout.pay', owner: who, key, outcome: 'replayed' }),
    ]);
  });
});

describe.each<StoreKind>(kinds)('the fake provider on the %s ledger', (kind) => {
  it('refuses an attempt older than one it has seen for the intent, and counts a second charge', async () => {
    const backend = await envFor(kind);
    const selected = await selectStore(kind, backend.env);
    try {
      const ledger = selected.redis ? redisLedger(selected.redis, `fence-${randomUUID()}`) : memoryLedger();
      const provider = fakePaymentProvider({ ledger, delayMs: 0 });
      const attempt = { owner: 'alice', idempotencyKey: randomUUID(), amountCents: 100 };
      const newer = 1_796_072_661_906_179;
      const first = await provider.charge({ ...attempt, token: newer });
      // The owner that was taken over wakes up: its older token is refused, nothing is charged.
      await expect(provider.charge({ ...attempt, token: newer - 1 })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining(String(newer)),
      });
      expect(await ledger.stats()).toMatchObject({ charges: 1, staleAttempts: 1, doubleCharges: 0 });
      // The same attempt sent twice (a transport retry) is the same charge.
      expect((await provider.charge({ ...attempt, token: newer })).chargeId).toBe(first.chargeId);
      // A newer attempt charging again is what the guard must prevent: counted, never hidden.
      const second = await provider.charge({ ...attempt, token: newer + 1 });
      expect(second.chargeId).not.toBe(first.chargeId);
      expect(await ledger.stats()).toMatchObject({ charges: 2, doubleCharges: 1 });
      const charged = await ledger.lookup(attempt);
      expect(charged.map((charge) => charge.chargeId)).toEqual([first.chargeId, second.chargeId]);
    } finally {
      await selected.close();
      await backend.stop();
    }
  });
});

describe('request limits a production tRPC server sets', () => {
  let server: DemoServer;
  beforeAll(async () => {
    server = await startDemoServer({ store: 'memory', log: () => {} });
  });
  afterAll(() => server?.close());

  it('answers methods tRPC does not serve with 405, never 500', async () => {
    for (const method of ['TRACE', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND']) {
      // node:http, not fetch: fetch refuses to send TRACE at all.
      const answer = await new Promise<{ status?: number; allow?: string }>((resolve, reject) => {
        request(`${server.url}/trpc/checkout.pay`, { method }, (response) => {
          response.resume();
          resolve({ status: response.statusCode, allow: response.headers.allow });
        })
          .on('error', reject)
          .end();
      });
      expect(answer, method).toEqual({ status: 405, allow: 'GET, POST, HEAD' });
    }
  });

  it('refuses bodies over maxBodySize with 413 and batches over maxBatchSize with 400', async () => {
    const big = await fetch(`${server.url}/trpc/checkout.pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        json: { amountCents: 1, idempotencyKey: 'x'.repeat(REQUEST_LIMITS.maxBodySize) },
      }),
    });
    expect(big.status).toBe(413);
    const paths = Array.from({ length: REQUEST_LIMITS.maxBatchSize + 1 }, () => 'ledger.stats').join(',');
    const batch = await fetch(`${server.url}/trpc/${paths}?batch=1&input={}`);
    expect(batch.status).toBe(400);
  });
});

describe('static files and store selection', () => {
  it('serves the web client at / with a fallback to index.html', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-static-'));
    await writeFile(join(dir, 'index.html'), '<h1>demo</h1>');
    const server = await startDemoServer({ store: 'memory', staticDir: dir, log: () => {} });
    try {
      for (const path of ['/', '/some/page']) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toContain('text/html');
        expect(await response.text()).toBe('<h1>demo</h1>');
      }
      const traversal = await fetch(`${server.url}/%2e%2e%2f%2e%2e%2fpackage.json`);
      expect(await traversal.text()).toBe('<h1>demo</h1>');
    } finally {
      await server.close();
    }
  });

  it('prefers DEMO_STORE, then Upstash credentials, then REDIS_URL or REDIS_CLUSTER_NODES, then redis-server, then memory', () => {
    const upstash = { UPSTASH_REDIS_REST_URL: 'u', UPSTASH_REDIS_REST_TOKEN: 't' };
    expect(detectStoreKind({ DEMO_STORE: 'memory', ...upstash })).toBe('memory');
    expect(detectStoreKind({ ...upstash, REDIS_URL: 'redis://h:6379', PATH: '' })).toBe('upstash');
    expect(detectStoreKind({ REDIS_URL: 'redis://h:6379', PATH: process.env.PATH })).toBe('redis');
    expect(detectStoreKind({ REDIS_CLUSTER_NODES: 'h:7000,h:7001', PATH: '' })).toBe('redis');
    expect(detectStoreKind({ PATH: '' })).toBe('memory');
    expect(() => detectStoreKind({ DEMO_STORE: 'postgres' })).toThrow(/upstash, redis, local or memory/);
  });

  it('says which Redis it cannot reach, and refuses a malformed REDIS_CLUSTER_NODES', async () => {
    await expect(selectStore('redis', { REDIS_URL: 'redis://:secret@127.0.0.1:1' })).rejects.toThrow(
      /cannot reach the Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
    );
    await expect(selectStore('redis', { REDIS_CLUSTER_NODES: '127.0.0.1' })).rejects.toThrow(
      'REDIS_CLUSTER_NODES: "127.0.0.1" is not host:port',
    );
    await expect(selectStore('redis', {})).rejects.toThrow(
      'DEMO_STORE=redis needs REDIS_URL or REDIS_CLUSTER_NODES',
    );
  });
});
