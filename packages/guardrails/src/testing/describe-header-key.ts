import { createTRPCClient, httpBatchLink, httpLink, splitLink } from '@trpc/client';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdempotencyKey } from '../client/create-idempotency-key.js';
import { guardrailsRetryLink } from '../client/guardrails-retry-link.js';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { guardrailsData, rejected } from './describe-guard.js';
import {
  createHeaderKeyApp,
  type HeaderKeyRouter,
  headerClient,
  serveWithRequest,
} from './header-key-app.js';
import type { Adapter } from './test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `.idempotent({ key: fromHeader('Idempotency-Key') })` end to end: real tRPC adapters, real
 * HTTP, a real tRPC client sending the header — for one store fixture and both adapters.
 */
export function describeHeaderKey(storeName: string, setup: () => StoreFixture) {
  describe.each<Adapter>(['fetch', 'standalone'])(
    `Idempotency-Key header over %s adapter with ${storeName}`,
    (adapter) => {
      const servers: { close(): Promise<void> }[] = [];
      afterAll(async () => {
        await Promise.all(servers.map((server) => server.close()));
      });

      async function start(options: { ipLimit?: number } = {}) {
        const app = createHeaderKeyApp({ store: setup().store, prefix: uniquePrefix(), ...options });
        const server = await serveWithRequest(app.router, adapter);
        servers.push(server);
        /** A client sending this key (an RFC 9651 String unless `bare`) as user `user`. */
        const as = (key: string | undefined, { user = 'u1', batch = false, raw = false } = {}) =>
          headerClient(
            server.url,
            {
              'x-user': user,
              ...(key === undefined ? {} : { 'Idempotency-Key': raw ? key : `"${key}"` }),
            },
            batch,
          );
        return { ...app, as, url: server.url };
      }

      it('runs once per key and replays the typed result, for the quoted and the bare form', async () => {
        const { as, executions, events } = await start();
        const { client, state } = as('k-1');
        const first = await client.pay.mutate({ amountCents: 500 });
        expect(first.key).toBe('k-1');
        expect(state.lastHeaders?.get('Idempotent-Replayed')).toBeNull();
        const again = await client.pay.mutate({ amountCents: 500 });
        expect(again).toEqual(first);
        expect(again.at).toBeInstanceOf(Date);
        expect(state.lastHeaders?.get('Idempotent-Replayed')).toBe('true');
        // Stripe-style clients send the key unquoted: the same key.
        expect(await as('k-1', { raw: true }).client.pay.mutate({ amountCents: 500 })).toEqual(first);
        expect(executions.pay).toBe(1);
        expect(events.map((event) => event.type)).toEqual(['executed', 'replayed', 'replayed']);
        expect(events[0]).toMatchObject({ path: 'pay', owner: 'u1', key: 'k-1' });
      });

      it('answers 400 (missing-key) naming the header when it is absent, and runs nothing', async () => {
        const { as, executions } = await start();
        const error = await rejected(as(undefined).client.pay.mutate({ amountCents: 500 }));
        expect(error.data?.httpStatus).toBe(400);
        expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'missing-key' });
        expect(error.message).toMatch(/^Idempotency key missing: send an `Idempotency-Key` header/);
        const empty = await rejected(as('').client.pay.mutate({ amountCents: 500 }));
        expect(guardrailsData(empty)).toEqual({ kind: 'idempotency', reason: 'missing-key' });
        expect(executions.pay).toBe(0);
      });

      it('answers 422 when the key comes back with another input', async () => {
        const { as, executions, events } = await start();
        const { client } = as('k-422');
        await client.pay.mutate({ amountCents: 500 });
        const error = await rejected(client.pay.mutate({ amountCents: 501 }));
        expect(error.data?.httpStatus).toBe(422);
        expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'payload-mismatch' });
        expect(executions.pay).toBe(1);
        expect(events.at(-1)).toMatchObject({ type: 'conflict', reason: 'payload-mismatch' });
      });

      it('answers 409 with Retry-After to a duplicate while the first runs (concurrent: reject)', async () => {
        const { as, gate, executions } = await start();
        const open = gate('k-409');
        const { client } = as('k-409');
        const first = client.refund.mutate({ amountCents: 100 });
        await sleep(100);
        const duplicate = as('k-409');
        const error = await rejected(duplicate.client.refund.mutate({ amountCents: 100 }));
        expect(error.data?.httpStatus).toBe(409);
        expect(guardrailsData(error)).toMatchObject({ kind: 'idempotency', reason: 'in-progress' });
        expect(Number(duplicate.state.lastHeaders?.get('Retry-After'))).toBeGreaterThanOrEqual(1);
        open();
        expect(await first).toEqual({ refundId: 're_1', key: 'k-409' });
        expect(await client.refund.mutate({ amountCents: 100 })).toEqual({ refundId: 're_1', key: 'k-409' });
        expect(executions.refund).toBe(1);
      });

      it('lets a duplicate wait for the running call and replay its result (concurrent: wait)', async () => {
        const { as, gate, executions } = await start();
        const open = gate('k-wait');
        const first = as('k-wait').client.pay.mutate({ amountCents: 100 });
        await sleep(100);
        const duplicate = as('k-wait').client.pay.mutate({ amountCents: 100 });
        await sleep(100);
        open();
        expect(await duplicate).toEqual(await first);
        expect(executions.pay).toBe(1);
      });

      it('scopes keys by owner: the same header from another user is another record', async () => {
        const { as, executions } = await start();
        const mine = await as('shared-key').client.pay.mutate({ amountCents: 500 });
        const theirs = await as('shared-key', { user: 'u2' }).client.pay.mutate({ amountCents: 500 });
        expect(theirs.paymentId).not.toBe(mine.paymentId);
        expect(executions.pay).toBe(2);
      });

      it.each([
        ['an unterminated string', '"k-1'],
        ['a repeated field (joined into a list)', '"k-1", "k-2"'],
        ['a bare list', 'k-1, k-2'],
        ['a bad escape', '"k\\n1"'],
        ['a key over 255 characters', `"${'k'.repeat(256)}"`],
      ])('answers 400 (invalid-key) to %s and runs nothing', async (_, value) => {
        const { as, executions } = await start();
        const error = await rejected(as(value, { raw: true }).client.pay.mutate({ amountCents: 500 }));
        expect(error.data?.httpStatus).toBe(400);
        expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'invalid-key' });
        expect(executions.pay).toBe(0);
      });

      it('keeps quoted escapes and parameters as RFC 9651 reads them', async () => {
        const { as } = await start();
        const result = await as('"a \\"quoted\\" key";v=1', { raw: true }).client.pay.mutate({
          amountCents: 1,
        });
        expect(result.key).toBe('a "quoted" key');
      });

      it('applies the rate limits before refusing a malformed header', async () => {
        const { as, executions } = await start({ ipLimit: 1 });
        await as('k-limit').client.limited.mutate();
        const error = await rejected(as('"broken', { raw: true }).client.limited.mutate());
        expect(error.data?.httpStatus).toBe(429);
        expect(executions.limited).toBe(1);
      });

      it('runs unguarded without a header when required: false', async () => {
        const { as, executions, events } = await start();
        const { client } = as(undefined);
        expect(await client.maybe.mutate({ amountCents: 1 })).toEqual({ key: null });
        expect(await client.maybe.mutate({ amountCents: 1 })).toEqual({ key: null });
        expect(await as('k-maybe').client.maybe.mutate({ amountCents: 1 })).toEqual({ key: 'k-maybe' });
        expect(executions.maybe).toBe(3);
        expect(events.map((event) => event.type)).toEqual(['unguarded', 'unguarded', 'executed']);
      });

      it('takes no key from the input: a strict schema refuses an idempotencyKey field', async () => {
        const { as, executions } = await start();
        const input = { amountCents: 1, idempotencyKey: 'k-input' } as never;
        const error = await rejected(as('k-input').client.pay.mutate(input));
        expect(error.data?.httpStatus).toBe(400);
        expect(guardrailsData(error)).toBeUndefined();
        expect(executions.pay).toBe(0);
      });

      it("keys each call from its operation context with the README's client wiring", async () => {
        const { url, executions } = await start();
        const client = createTRPCClient<HeaderKeyRouter>({
          links: [
            guardrailsRetryLink({ isSafe: (op) => typeof op.context.idempotencyKey === 'string' }),
            splitLink({
              condition: (op) => typeof op.context.idempotencyKey === 'string',
              true: httpLink({
                url,
                transformer: superjson,
                headers: ({ op }) => ({
                  'Idempotency-Key': `"${op.context.idempotencyKey}"`,
                  'x-user': 'u1',
                }),
              }),
              false: httpBatchLink({ url, transformer: superjson, headers: { 'x-user': 'u1' } }),
            }),
          ],
        });
        const key = createIdempotencyKey();
        const [first, second] = await Promise.all([
          client.pay.mutate({ amountCents: 5 }, { context: { idempotencyKey: key } }),
          client.pay.mutate({ amountCents: 5 }, { context: { idempotencyKey: createIdempotencyKey() } }),
        ]);
        expect(first.key).toBe(key);
        expect(second.key).not.toBe(key);
        expect(await client.pay.mutate({ amountCents: 5 }, { context: { idempotencyKey: key } })).toEqual(
          first,
        );
        expect(executions.pay).toBe(2);
      });

      describe('batching', () => {
        it('gives each procedure of a batch its own record and replays the batch as a whole', async () => {
          const { as, executions } = await start();
          const { client, state } = as('k-batch', { batch: true });
          const send = () =>
            Promise.all([
              client.pay.mutate({ amountCents: 700 }),
              client.refund.mutate({ amountCents: 700 }),
            ]);
          const first = await send();
          expect(state.requests).toBe(1);
          expect(first[0].key).toBe('k-batch');
          expect(first[1].key).toBe('k-batch');
          expect(await send()).toEqual(first);
          expect(state.requests).toBe(2);
          // A retry of one call of the batch, alone, finds its own record.
          expect(await as('k-batch').client.refund.mutate({ amountCents: 700 })).toEqual(first[1]);
          expect(executions).toMatchObject({ pay: 1, refund: 1 });
        });

        it('refuses every call of a batch that calls one procedure twice under one header', async () => {
          const { as, executions, events } = await start();
          const { client, state } = as('k-twice', { batch: true });
          const outcomes = await Promise.allSettled([
            client.pay.mutate({ amountCents: 1 }),
            client.pay.mutate({ amountCents: 2 }),
            client.refund.mutate({ amountCents: 3 }),
          ]);
          expect(state.requests).toBe(1);
          for (const outcome of outcomes.slice(0, 2)) {
            expect(outcome.status).toBe('rejected');
            const error = (outcome as PromiseRejectedResult).reason;
            expect(error.data?.httpStatus).toBe(400);
            expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'invalid-key' });
            expect(error.message).toMatch(/cannot key 2 calls to "pay" in one batched request/);
          }
          // The other procedure of the batch has a record of its own.
          expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { key: 'k-twice' } });
          expect(executions).toMatchObject({ pay: 0, refund: 1 });
          expect(events.filter((event) => event.type === 'executed')).toHaveLength(1);
          // Nothing was recorded for `pay`: the same key alone runs it.
          expect((await as('k-twice').client.pay.mutate({ amountCents: 1 })).key).toBe('k-twice');
          expect(executions.pay).toBe(1);
        });
      });
    },
  );
}
