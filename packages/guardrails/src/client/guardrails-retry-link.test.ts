import { createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { rejected } from '../testing/describe-guard.js';
import {
  type Adapter,
  createClient,
  createTestApp,
  serve,
  type TestAppOptions,
  type TestRouter,
} from '../testing/test-app.js';
import { getGuardrailsError, isIdempotencyError, isRateLimitError } from './get-guardrails-error.js';
import { guardrailsRetryLink } from './guardrails-retry-link.js';
import type { GuardrailsRetryOptions } from './guardrails-retry-policy.js';
import { createFaultyFetch, type Fault } from './testing-faulty-fetch.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A store whose first `failures` checks fail, as during a Redis outage. */
function failingFirst(store: GuardrailsStore, failures: number): GuardrailsStore {
  let left = failures;
  return {
    check: (request) =>
      left-- > 0 ? Promise.reject(new Error('store unreachable (injected)')) : store.check(request),
    complete: (request) => store.complete(request),
    extend: (request) => store.extend(request),
    release: (request) => store.release(request),
  };
}

const charge = (idempotencyKey: string, amountCents = 500) => ({
  idempotencyKey,
  customerId: 'c1',
  amountCents,
});

/** A JSON tRPC error body, serialized with superjson like the server does. */
const trpcErrorBody = (code: string, httpStatus: number) =>
  JSON.stringify({ error: { json: { message: 'upstream busy', code: -32603, data: { code, httpStatus } } } });

describe.each<Adapter>(['fetch', 'standalone'])(
  'guardrailsRetryLink against a real server (%s adapter)',
  (adapter) => {
    const servers: { close(): Promise<void> }[] = [];
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.close()));
    });

    async function start(
      options: {
        app?: Partial<TestAppOptions>;
        faults?: Parameters<typeof createFaultyFetch>[0];
        retry?: GuardrailsRetryOptions;
        batch?: boolean;
      } = {},
    ) {
      const app = createTestApp({ store: memoryStore(), prefix: uniquePrefix('client'), ...options.app });
      const server = await serve(app.router, adapter);
      servers.push(server);
      const faulty = createFaultyFetch(options.faults ?? []);
      const terminating = (options.batch ? httpBatchLink : httpLink)({
        url: server.url,
        transformer: superjson,
        headers: { 'x-user': 'u1' },
        fetch: faulty.fetch,
      });
      const client = createTRPCClient<TestRouter>({
        links: [guardrailsRetryLink({ baseDelayMs: 5, ...options.retry }), terminating],
      });
      const plain = createClient(server.url, { 'x-user': 'u1' }).client;
      return { ...app, client, plain, calls: faulty.calls };
    }

    describe('a lost response ends in one execution', () => {
      it.each<[string, Fault[]]>([
        ['dropped connection', [{ type: 'drop' }, { type: 'drop' }]],
        ['synthetic 502 page from a proxy', [{ type: 'status', status: 502 }]],
        [
          'synthetic 503 with a tRPC body',
          [
            {
              type: 'status',
              status: 503,
              body: trpcErrorBody('SERVICE_UNAVAILABLE', 503),
              headers: { 'content-type': 'application/json' },
            },
          ],
        ],
        ['body broken off half-way', [{ type: 'broken-body' }]],
      ])('%s: retried with the same key, replayed, handler ran once', async (_name, faults) => {
        const { client, calls, executions, events } = await start({ faults });
        const result = await client.charge.mutate(charge('lost-1'));
        expect(result.key).toBe('lost-1');
        expect(result.createdAt).toBeInstanceOf(Date);
        expect(executions.charge).toBe(1);
        expect(calls).toHaveLength(faults.length + 1);
        expect(calls.every((call) => call.serverStatus === 200)).toBe(true);
        expect(events.map((event) => event.type)).toEqual(['executed', ...faults.map(() => 'replayed')]);
      });

      it('retries a whole dropped batch; every call of it runs once', async () => {
        const { client, calls, executions } = await start({ faults: [{ type: 'drop' }], batch: true });
        const [a, b] = await Promise.all([
          client.charge.mutate(charge('batch-a', 100)),
          client.charge.mutate(charge('batch-b', 200)),
        ]);
        expect([a.amount, b.amount]).toEqual([100n, 200n]);
        expect(executions.charge).toBe(2);
        expect(calls[0]?.fault).toBe('drop');
        expect(calls.length).toBeGreaterThanOrEqual(2);
      });

      it('retries a real 503 (store outage, handler not run) and then runs once', async () => {
        const { client, calls, executions } = await start({ app: { store: failingFirst(memoryStore(), 1) } });
        await client.charge.mutate(charge('outage-1'));
        expect(calls.map((call) => call.serverStatus)).toEqual([503, 200]);
        expect(executions.charge).toBe(1);
      });

      it('gives up after `retries` and surfaces the network error', async () => {
        const { client, calls, executions } = await start({
          faults: () => ({ type: 'drop' }),
          retry: { retries: 2 },
        });
        const error = await rejected(client.charge.mutate(charge('doomed')));
        expect(error.data).toBeFalsy();
        expect(error.message).toBe('fetch failed');
        expect(calls).toHaveLength(3);
        expect(executions.charge).toBe(1);
      });
    });

    describe('what is never retried', () => {
      it('429: not retried; getGuardrailsError gives the scope and retryAfter', async () => {
        const { client, calls } = await start({ app: { limits: { user: 1 } } });
        await client.charge.mutate(charge('rl-1'));
        const error = await rejected(client.charge.mutate(charge('rl-2')));
        expect(calls.map((call) => call.serverStatus)).toEqual([200, 429]);
        expect(isRateLimitError(error)).toBe(true);
        const data = getGuardrailsError(error);
        expect(data).toMatchObject({ kind: 'rate-limit', scope: 'user', limit: 1, remaining: 0 });
        expect(data?.kind === 'rate-limit' && data.retryAfter).toBeGreaterThanOrEqual(1);
      });

      it('422 (same key, other input) and 400 (invalid key): not retried', async () => {
        const { client, calls } = await start();
        await client.charge.mutate(charge('k', 500));
        const mismatch = await rejected(client.charge.mutate(charge('k', 501)));
        expect(getGuardrailsError(mismatch)).toEqual({ kind: 'idempotency', reason: 'payload-mismatch' });
        const invalid = await rejected(client.charge.mutate(charge('naïve')));
        expect(isIdempotencyError(invalid) && invalid.data.guardrails.reason).toBe('invalid-key');
        expect(calls.map((call) => call.serverStatus)).toEqual([200, 422, 400]);
      });

      it('calls without an idempotencyKey: not retried on network errors, unless isSafe says so', async () => {
        const { client, calls, executions } = await start({ faults: [{ type: 'drop' }, { type: 'drop' }] });
        expect((await rejected(client.limitedOnly.query())).message).toBe('fetch failed');
        expect((await rejected(client.webhook.mutate({ eventId: 'evt_1', amount: 1 }))).message).toBe(
          'fetch failed',
        );
        expect(calls).toHaveLength(2);
        expect(executions.webhook).toBe(1);

        const safe = await start({
          faults: [{ type: 'drop' }, { type: 'drop' }],
          retry: { isSafe: (op) => op.type === 'query' || op.path === 'webhook' },
        });
        expect(await safe.client.limitedOnly.query()).toBe('ok');
        expect(await safe.client.webhook.mutate({ eventId: 'evt_1', amount: 1 })).toEqual({
          received: 'evt_1',
        });
        expect(safe.calls).toHaveLength(4);
        expect(safe.executions.webhook).toBe(1);
      });
    });

    describe('waits', () => {
      const oneSecondLease = {
        idempotency: {
          owner: ({ ctx }: { ctx: { userId?: string; ip: string } }) => ctx.userId ?? ctx.ip,
          lease: '1 s' as const,
        },
      };

      it('409 in-progress: retried after at least retryAfter, then gets the replay', async () => {
        const { client, plain, calls, executions, gate } = await start({
          app: oneSecondLease,
          retry: { baseDelayMs: 1 },
        });
        const open = gate('busy');
        const input = { idempotencyKey: 'busy', note: 'gate' };
        const first = plain.unkeyed.mutate(input);
        await until(() => executions.unkeyed === 1);
        const second = client.unkeyed.mutate(input);
        await until(() => (calls[0]?.answeredAt ?? 0) > 0);
        expect(calls[0]?.serverStatus).toBe(409);
        open();
        const [a, b] = await Promise.all([first, second]);
        expect(b).toEqual(a);
        expect(executions.unkeyed).toBe(1);
        expect(calls.map((call) => call.serverStatus)).toEqual([409, 200]);
        expect(calls[1]!.sentAt - calls[0]!.answeredAt).toBeGreaterThanOrEqual(990);
      });

      it('409 in-progress asking to wait longer than maxRetryAfterMs: surfaced with retryAfter', async () => {
        const { client, plain, calls, executions, gate } = await start({
          app: oneSecondLease,
          retry: { maxRetryAfterMs: 500 },
        });
        const open = gate('busy-2');
        const input = { idempotencyKey: 'busy-2', note: 'gate' };
        const first = plain.unkeyed.mutate(input);
        await until(() => executions.unkeyed === 1);
        const error = await rejected(client.unkeyed.mutate(input));
        expect(getGuardrailsError(error)).toEqual({
          kind: 'idempotency',
          reason: 'in-progress',
          retryAfter: 1,
        });
        expect(calls).toHaveLength(1);
        open();
        await first;
      });

      it('honours a Retry-After header on a 5xx without guardrails data', async () => {
        const { client, calls, executions } = await start({
          retry: { baseDelayMs: 1 },
          faults: [
            {
              type: 'status',
              status: 503,
              body: trpcErrorBody('SERVICE_UNAVAILABLE', 503),
              headers: { 'content-type': 'application/json', 'retry-after': '1' },
            },
          ],
        });
        await client.charge.mutate(charge('after-1'));
        expect(calls).toHaveLength(2);
        expect(calls[1]!.sentAt - calls[0]!.answeredAt).toBeGreaterThanOrEqual(990);
        expect(executions.charge).toBe(1);
      });
    });
  },
);
