import { TRPCClientError } from '@trpc/client';
import { type Item, parseList } from 'structured-headers';
import { afterAll, describe, expect, it } from 'vitest';
import { getGuardrailsErrorData } from '../errors.js';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { type Adapter, createClient, createTestApp, serve, type TestAppOptions } from './test-app.js';

/** A Structured Field List of named items, parsed with an RFC 9651 parser. */
function sfList(headers: Headers | undefined, name: string): [unknown, Record<string, unknown>][] {
  return parseList(headers?.get(name) ?? '').map((member) => {
    const [value, params] = member as Item;
    return [value, Object.fromEntries(params)];
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `call` and returns the `TRPCClientError` it must throw. */
export async function rejected(call: Promise<unknown>): Promise<TRPCClientError<any>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}

/** Reads `data.guardrails` from a client error, as an app would. */
export function guardrailsData(error: TRPCClientError<any>) {
  return (error.data as { guardrails?: unknown } | undefined)?.guardrails as
    | Record<string, unknown>
    | undefined;
}

/**
 * Guard behaviour end to end: real tRPC server adapters, real HTTP, a real tRPC client — for one
 * store fixture and both adapters.
 */
export function describeGuard(storeName: string, setup: () => StoreFixture) {
  describe.each<Adapter>(['fetch', 'standalone'])(
    `guardrails over %s adapter with ${storeName}`,
    (adapter) => {
      const servers: { close(): Promise<void> }[] = [];
      afterAll(async () => {
        await Promise.all(servers.map((server) => server.close()));
      });

      async function start(
        options: Partial<TestAppOptions> = {},
        headers: Record<string, string> = { 'x-user': 'u1' },
      ) {
        const fixture = setup();
        const app = createTestApp({ store: fixture.store, prefix: uniquePrefix(), ...options });
        const server = await serve(app.router, adapter);
        servers.push(server);
        const { client, state } = createClient(server.url, headers);
        const as = (extra: Record<string, string>) => createClient(server.url, extra).client;
        return { ...app, client, state, url: server.url, as };
      }

      const charge = (key: string, amountCents = 500, customerId = 'c1') => ({
        idempotencyKey: key,
        customerId,
        amountCents,
      });

      describe('rate limits', () => {
        it('allows the limit, then answers 429 naming the scope and the wait, with headers', async () => {
          const { client, state, events } = await start({ limits: { ip: 3 } });
          for (let i = 0; i < 3; i++) await client.charge.mutate(charge(`k${i}`));
          expect(state.lastHeaders?.get('X-RateLimit-Remaining')).toBe('0');
          const error = await rejected(client.charge.mutate(charge('k4')));
          expect(error.data?.code).toBe('TOO_MANY_REQUESTS');
          expect(error.data?.httpStatus).toBe(429);
          expect(error.message).toMatch(/^Rate limit exceeded for "ip": retry in \d+ s$/);
          expect(guardrailsData(error)).toMatchObject({
            kind: 'rate-limit',
            scope: 'ip',
            limit: 3,
            remaining: 0,
          });
          const data = guardrailsData(error)!;
          expect(data.reset).toBeGreaterThan(Date.now());
          expect(data.retryAfter).toBeGreaterThanOrEqual(1);
          expect(state.lastHeaders?.get('Retry-After')).toBe(String(data.retryAfter));
          // One item per scope that applied (ip and user; the tenant scope is skipped here).
          expect(sfList(state.lastHeaders, 'RateLimit-Policy')).toEqual([
            ['ip', { q: 3, w: 3600 }],
            ['user', { q: 1000, w: 3600 }],
          ]);
          const limits = sfList(state.lastHeaders, 'RateLimit');
          expect(limits.map(([name]) => name)).toEqual(['ip', 'user']);
          expect(limits[0]![1]).toMatchObject({ r: 0, t: expect.any(Number) });
          expect(state.lastHeaders?.get('X-RateLimit-Limit')).toBe('3');
          expect(events.filter((e) => e.type === 'limited')).toEqual([
            expect.objectContaining({
              path: 'charge',
              scope: 'ip',
              identifier: '127.0.0.1',
              owner: 'u1',
              key: 'k4',
            }),
          ]);
        });

        it('limits each identifier on its own and skips scopes whose identify returns undefined', async () => {
          const { as } = await start({ limits: { user: 1 } });
          const anonymous = as({ 'x-ip': '10.0.0.1' });
          await anonymous.limitedOnly.query();
          await anonymous.unkeyed.mutate({ idempotencyKey: 'a1', note: 'x' });
          await anonymous.unkeyed.mutate({ idempotencyKey: 'a2', note: 'x' }); // no user: scope skipped
          const alice = as({ 'x-user': 'alice' });
          await alice.unkeyed.mutate({ idempotencyKey: 'b1', note: 'x' });
          expect((await rejected(alice.unkeyed.mutate({ idempotencyKey: 'b2', note: 'x' }))).data?.code).toBe(
            'TOO_MANY_REQUESTS',
          );
          await as({ 'x-user': 'bob' }).unkeyed.mutate({ idempotencyKey: 'c1', note: 'x' });
        });

        it('writes the most restrictive values when calls share a batched response', async () => {
          const { url } = await start({ limits: { ip: 10 } });
          const { client, state } = createClient(url, { 'x-user': 'u1', 'x-ip': '10.0.0.9' }, true);
          await Promise.all([
            client.charge.mutate(charge('batched-1')),
            client.charge.mutate(charge('batched-2')),
          ]);
          expect(state.requests).toBe(1);
          expect(state.lastHeaders?.get('X-RateLimit-Remaining')).toBe('8');
          expect(sfList(state.lastHeaders, 'RateLimit').map(([name, params]) => [name, params.r])).toEqual([
            ['ip', 8],
            ['user', 998],
          ]);
        });

        it('consumes `cost` units per call', async () => {
          const { as } = await start({ limits: { ip: 5 } });
          const client = as({ 'x-ip': '10.0.0.2' });
          await client.limitedOnly.query();
          await client.limitedOnly.query();
          // 1 unit left, the call needs 2: denied, and the denial takes nothing.
          expect(guardrailsData(await rejected(client.limitedOnly.query()))).toMatchObject({
            scope: 'ip',
            remaining: 1,
          });
          expect(guardrailsData(await rejected(client.limitedOnly.query()))).toMatchObject({ remaining: 1 });
        });

        it('reports the scope with the longest wait when several deny', async () => {
          const { client } = await start(
            { limits: { ip: 2, tenant: 1 } },
            { 'x-user': 'u1', 'x-tenant': 't1' },
          );
          await client.charge.mutate(charge('first'));
          const tenantOnly = await rejected(client.charge.mutate(charge('second')));
          expect(guardrailsData(tenantOnly)).toMatchObject({ kind: 'rate-limit', scope: 'tenant' });
          // Now both deny; the token bucket refills two hours after its first use, later than the
          // fixed window (aligned to the clock hour) resets.

          const both = guardrailsData(await rejected(client.charge.mutate(charge('third'))))!;
          expect(both.scope).toBe('tenant');
        });
      });

      describe('idempotency', () => {
        it('runs once and replays the same typed result, marked as replayed', async () => {
          const { client, state, executions, events } = await start();
          const first = await client.charge.mutate(charge('intent-1'));
          expect(state.lastHeaders?.get('Idempotent-Replayed')).toBeNull();
          const again = await client.charge.mutate(charge('intent-1'));
          expect(executions.charge).toBe(1);
          expect(again).toEqual(first);
          expect(again.createdAt).toBeInstanceOf(Date);
          expect(again.amount).toBe(500n);
          expect(again.tags).toEqual(new Set(['a', 'b']));
          expect(again.meta).toEqual(new Map([['n', 1]]));
          expect('nothing' in again && again.nothing === undefined).toBe(true);
          expect(again.pattern).toEqual(/in_\d+/g);
          expect(again.key).toBe('intent-1');
          expect(state.lastHeaders?.get('Idempotent-Replayed')).toBe('true');
          expect(events.map((e) => e.type)).toEqual(['executed', 'replayed']);
          expect(events[1]).toMatchObject({
            path: 'charge',
            owner: 'u1',
            key: 'intent-1',
            outcome: 'result',
          });
        });

        it('answers 400 for a missing or invalid key and stores nothing', async () => {
          const { client, executions } = await start();
          const missing = await rejected(client.charge.mutate({ customerId: 'c1', amountCents: 1 } as never));
          expect(missing.data?.code).toBe('BAD_REQUEST');
          expect(guardrailsData(missing)).toEqual({ kind: 'idempotency', reason: 'missing-key' });
          for (const bad of ['x'.repeat(256), 'naïve', 'tab\tkey']) {
            const error = await rejected(client.charge.mutate(charge(bad)));
            expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'invalid-key' });
          }
          expect(executions.charge).toBe(0);
        });

        it('scopes keys by owner: the same key from another user is another intent', async () => {
          const { as, executions } = await start();
          const alice = await as({ 'x-user': 'alice' }).charge.mutate(charge('shared-key'));
          const bob = await as({ 'x-user': 'bob' }).charge.mutate(charge('shared-key'));
          expect(executions.charge).toBe(2);
          expect(bob.chargeId).not.toBe(alice.chargeId);
        });

        it('answers 422 for the same key with a different input', async () => {
          const { client, events } = await start();
          await client.charge.mutate(charge('k', 500));
          const error = await rejected(client.charge.mutate(charge('k', 501)));
          expect(error.data?.httpStatus).toBe(422);
          expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'payload-mismatch' });
          expect(events.at(-1)).toMatchObject({ type: 'conflict', reason: 'payload-mismatch', key: 'k' });
        });

        it('stores handler errors and replays their code and message', async () => {
          const { client, executions } = await start();
          const first = await rejected(client.charge.mutate(charge('declined', 500, 'boom')));
          const second = await rejected(client.charge.mutate(charge('declined', 500, 'boom')));
          expect([first.data?.code, second.data?.code]).toEqual(['PAYMENT_REQUIRED', 'PAYMENT_REQUIRED']);
          expect(second.message).toBe('card declined');
          const crash = await rejected(client.charge.mutate(charge('crash', 500, 'crash')));
          const crashAgain = await rejected(client.charge.mutate(charge('crash', 500, 'crash')));
          expect(crashAgain.data?.code).toBe('INTERNAL_SERVER_ERROR');
          expect(crashAgain.message).toBe(crash.message);
          expect(executions.charge).toBe(2);
        });

        it('lets cacheError opt errors out, so a retry runs again', async () => {
          const { client, executions } = await start();
          await rejected(client.unkeyed.mutate({ idempotencyKey: 'flaky', note: 'flaky' }));
          await rejected(client.unkeyed.mutate({ idempotencyKey: 'flaky', note: 'flaky' }));
          expect(executions.unkeyed).toBe(2);
        });

        it('an error stored for errorTtl expires, then the key runs again', async () => {
          const { client, executions } = await start({ idempotency: { errorTtl: '200 ms' } });
          await rejected(client.charge.mutate(charge('retry-later', 500, 'boom')));
          await rejected(client.charge.mutate(charge('retry-later', 500, 'boom')));
          expect(executions.charge).toBe(1);
          await sleep(300);
          await rejected(client.charge.mutate(charge('retry-later', 500, 'boom')));
          expect(executions.charge).toBe(2);
        });

        it('never burns a key on errors before the handler: validation, auth, rate limit', async () => {
          const { client, as, executions } = await start({ limits: { user: 3 } });
          const invalid = await rejected(client.charge.mutate(charge('k-validate', -5)));
          expect(invalid.data?.code).toBe('BAD_REQUEST');
          await client.charge.mutate(charge('k-validate', 5)); // same key, valid input: runs
          expect(executions.charge).toBe(1);

          const banned = as({ 'x-user': 'banned' });
          expect(
            (await rejected(banned.unkeyed.mutate({ idempotencyKey: 'k-auth', note: 'x' }))).data?.code,
          ).toBe('FORBIDDEN');
          expect(
            (await rejected(banned.unkeyed.mutate({ idempotencyKey: 'k-auth', note: 'x' }))).data?.code,
          ).toBe('FORBIDDEN');

          await client.charge.mutate(charge('k-fill')); // third unit: the invalid call counted, it was not stored
          const limited = await rejected(client.charge.mutate(charge('k-limit')));
          expect(limited.data?.code).toBe('TOO_MANY_REQUESTS');
          expect(executions.charge).toBe(2);
        });

        it('strips idempotencyKey before .strict() schemas and exposes it on ctx', async () => {
          const { client } = await start();
          const result = await client.charge.mutate(charge('strict-key'));
          expect(result.key).toBe('strict-key');
          expect(result.token).toBeGreaterThan(0);
        });

        it('derives the key with options.key (webhooks), shared by all callers', async () => {
          const { as, executions } = await start();
          const first = await as({ 'x-ip': '1.1.1.1' }).webhook.mutate({ eventId: 'evt_1', amount: 1 });
          const redelivered = await as({ 'x-ip': '2.2.2.2' }).webhook.mutate({ eventId: 'evt_1', amount: 1 });
          expect(redelivered).toEqual(first);
          expect(executions.webhook).toBe(1);
          const missing = await rejected(as({}).webhook.mutate({ amount: 1 } as never));
          expect(guardrailsData(missing)).toEqual({ kind: 'idempotency', reason: 'missing-key' });
        });

        it("concurrent: 'wait' runs the handler once and gives every duplicate its result", async () => {
          const { client, gate, executions } = await start();
          const open = gate('together');
          const calls = Array.from({ length: 10 }, () =>
            client.charge.mutate(charge('together', 500, 'gate')),
          );
          await sleep(150);
          open();
          const results = await Promise.all(calls);
          expect(executions.charge).toBe(1);
          for (const result of results) expect(result).toEqual(results[0]);
        });

        it("concurrent: 'reject' answers 409 with retryAfter and Retry-After", async () => {
          const { client, state, gate, executions } = await start();
          const open = gate('busy');
          const first = client.unkeyed.mutate({ idempotencyKey: 'busy', note: 'gate' });
          await sleep(100);
          const error = await rejected(client.unkeyed.mutate({ idempotencyKey: 'busy', note: 'gate' }));
          expect(error.data?.httpStatus).toBe(409);
          const data = guardrailsData(error)!;
          expect(data).toMatchObject({ kind: 'idempotency', reason: 'in-progress' });
          expect(data.retryAfter).toBeGreaterThanOrEqual(1);
          expect(state.lastHeaders?.get('Retry-After')).toBe(String(data.retryAfter));
          open();
          await first;
          expect(executions.unkeyed).toBe(1);
        });

        it('reads data.guardrails on the server side too', async () => {
          const { client } = await start({ limits: { ip: 2 } });
          await client.limitedOnly.query();
          const error = await rejected(client.limitedOnly.query());
          expect(getGuardrailsErrorData(error)).toBeUndefined(); // a client error is not a server rejection
          expect(guardrailsData(error)?.kind).toBe('rate-limit');
        });
      });
    },
  );
}
