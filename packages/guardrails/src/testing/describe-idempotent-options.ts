import { createTRPCClient, httpLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getGuardrailsError } from '../client/get-guardrails-error.js';
import { guardrailsErrorFormatter } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { guardrailsData, rejected } from './describe-guard.js';
import { type Adapter, serve, type TestContext } from './test-app.js';

/** The real store, and what the guard asked of it: no claim and no complete means nothing stored. */
function recording(store: GuardrailsStore) {
  const seen = { claims: 0, completes: 0 };
  const recorded: GuardrailsStore = {
    check: (request) => {
      if (request.claim) seen.claims++;
      return store.check(request);
    },
    complete: (request) => {
      seen.completes++;
      return store.complete(request);
    },
    extend: (request) => store.extend(request),
    release: (request) => store.release(request),
    maxResultBytes: store.maxResultBytes,
  };
  return { store: recorded, seen };
}

const charge = z.object({
  customer: z.object({ id: z.string() }),
  amountCents: z.number().int().positive(),
  sentAt: z.date(),
  traceId: z.string(),
});

/** Procedures with an optional key, a fingerprint over part of the input, or both. */
function createOptionsApp(store: GuardrailsStore) {
  const events: GuardrailsEvent[] = [];
  const executions = { order: 0, quote: 0, delivery: 0 };
  const t = initTRPC
    .context<TestContext>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const guard = createGuardrails<TestContext>()({
    store,
    prefix: uniquePrefix('opt'),
    scopes: { ip: { limiter: fixedWindow(1000, '1 h'), identify: ({ ctx }) => ctx.ip } },
    idempotency: { owner: ({ ctx }) => ctx.userId ?? ctx.ip },
    headers: ({ ctx }) => ctx.resHeaders ?? ctx.res,
    onEvent: (event) => events.push(event),
  });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    order: procedure
      .rateLimited('ip')
      .idempotent({ required: false })
      .input(z.object({ sku: z.string() }).strict())
      .mutation(({ input, ctx }) => {
        executions.order++;
        const { key, token } = ctx.idempotency;
        return { orderId: `or_${executions.order}`, sku: input.sku, key: key ?? null, token: token ?? null };
      }),
    quote: procedure
      .idempotent({
        fingerprint: {
          maxBytes: 64,
          select: (input) => {
            const { customer, amountCents } = input as z.input<typeof charge>;
            return { customerId: customer.id, amountCents };
          },
        },
      })
      .input(charge.strict())
      .mutation(({ input }) => {
        executions.quote++;
        return { quoteId: `q_${executions.quote}`, amountCents: input.amountCents, at: new Date() };
      }),
    delivery: procedure
      .input(z.object({ eventId: z.string().optional(), amount: z.number(), deliveredAt: z.date() }))
      .idempotent({
        key: ({ rawInput }) => (rawInput as { eventId?: string } | undefined)?.eventId,
        required: false,
        owner: () => 'provider',
        fingerprint: { select: (input) => input.amount },
      })
      .mutation(({ ctx }) => {
        executions.delivery++;
        return { delivery: executions.delivery, key: ctx.idempotency.key ?? null };
      }),
  });
  return { router, events, executions };
}

type OptionsRouter = ReturnType<typeof createOptionsApp>['router'];

/**
 * `.idempotent({ required: false })` and `fingerprint.select` end to end: real tRPC adapters,
 * real HTTP, a real client — for one store fixture and both adapters.
 */
export function describeIdempotentOptions(storeName: string, setup: () => StoreFixture) {
  describe.each<Adapter>(['fetch', 'standalone'])(
    `idempotent options over %s adapter with ${storeName}`,
    (adapter) => {
      const servers: { close(): Promise<void> }[] = [];
      afterAll(async () => {
        await Promise.all(servers.map((server) => server.close()));
      });

      async function start() {
        const { store, seen } = recording(setup().store);
        const app = createOptionsApp(store);
        const server = await serve(app.router, adapter);
        servers.push(server);
        const state: { lastHeaders?: Headers } = {};
        const client = createTRPCClient<OptionsRouter>({
          links: [
            httpLink({
              url: server.url,
              transformer: superjson,
              headers: { 'x-user': 'u1' },
              fetch: async (input, init) => {
                const response = await fetch(input as string, init as RequestInit);
                state.lastHeaders = response.headers;
                return response;
              },
            }),
          ],
        });
        return { ...app, client, state, seen };
      }

      const quote = (key: string, overrides: Partial<z.input<typeof charge>> = {}) => ({
        idempotencyKey: key,
        customer: { id: 'c1' },
        amountCents: 500,
        sentAt: new Date(),
        traceId: crypto.randomUUID(),
        ...overrides,
      });

      it('required: false — without a key the handler runs every time, unguarded, and nothing is stored', async () => {
        const { client, state, executions, events, seen } = await start();
        const first = await client.order.mutate({ sku: 'tea' });
        await client.order.mutate({ sku: 'tea' });
        await client.order.mutate({ sku: 'tea', idempotencyKey: null } as never); // null: no key either
        expect(executions.order).toBe(3);
        expect(first).toEqual({ orderId: 'or_1', sku: 'tea', key: null, token: null });
        expect(state.lastHeaders?.get('Idempotent-Replayed')).toBeNull();
        expect(state.lastHeaders?.get('X-RateLimit-Remaining')).toBe('997'); // the limit still applies
        expect(seen).toEqual({ claims: 0, completes: 0 });
        expect(events).toEqual([
          { type: 'unguarded', path: 'order', owner: 'u1' },
          { type: 'unguarded', path: 'order', owner: 'u1' },
          { type: 'unguarded', path: 'order', owner: 'u1' },
        ]);
      });

      it('required: false — with a key the call is guarded as usual, and a bad key is still a 400', async () => {
        const { client, state, executions, events, seen } = await start();
        const first = await client.order.mutate({ sku: 'tea', idempotencyKey: 'order-1' });
        const again = await client.order.mutate({ sku: 'tea', idempotencyKey: 'order-1' });
        expect(executions.order).toBe(1);
        expect(again).toEqual(first);
        expect(first.key).toBe('order-1');
        expect(first.token).toBeGreaterThan(0);
        expect(state.lastHeaders?.get('Idempotent-Replayed')).toBe('true');
        expect(events.map((event) => event.type)).toEqual(['executed', 'replayed']);
        expect(seen).toEqual({ claims: 2, completes: 1 });
        const bad = await rejected(client.order.mutate({ sku: 'tea', idempotencyKey: 'x'.repeat(256) }));
        expect(guardrailsData(bad)).toEqual({ kind: 'idempotency', reason: 'invalid-key' });
        expect(executions.order).toBe(1);
      });

      it('fingerprint.select — a retry with other volatile fields replays; another selected field is a 422', async () => {
        const { client, executions } = await start();
        const first = await client.quote.mutate(quote('q-1'));
        const retried = await client.quote.mutate(quote('q-1', { sentAt: new Date(Date.now() + 5_000) }));
        expect(retried).toEqual(first);
        expect(executions.quote).toBe(1);
        for (const changed of [{ amountCents: 501 }, { customer: { id: 'c2' } }]) {
          const error = await rejected(client.quote.mutate(quote('q-1', changed)));
          expect(error.data?.httpStatus).toBe(422);
          expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'payload-mismatch' });
        }
        expect(executions.quote).toBe(1);
      });

      it('fingerprint.select — the budget covers the selected part only', async () => {
        const { client, executions } = await start();
        // A trace id over the 64-byte budget is not selected: fine.
        await client.quote.mutate(quote('q-big', { traceId: 'x'.repeat(1_000) }));
        expect(executions.quote).toBe(1);
        const error = await rejected(
          client.quote.mutate(quote('q-long', { customer: { id: 'c'.repeat(100) } })),
        );
        expect(error.data?.httpStatus).toBe(413);
        expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'input-too-large' });
        expect(executions.quote).toBe(1);
      });

      it('fingerprint.select — a select that throws on the input is a 400, runs nothing and keeps the key unused', async () => {
        const { client, executions, seen } = await start();
        const error = await rejected(client.quote.mutate(quote('q-bad', { customer: undefined }) as never));
        expect(error.data?.httpStatus).toBe(400);
        expect(guardrailsData(error)).toEqual({ kind: 'idempotency', reason: 'input-malformed' });
        expect(getGuardrailsError(error)).toEqual({ kind: 'idempotency', reason: 'input-malformed' });
        expect(error.message).toMatch(/^Cannot check this idempotent call: .*TypeError/);
        expect(seen.claims).toBe(0);
        await client.quote.mutate(quote('q-bad'));
        expect(executions.quote).toBe(1);
      });

      it('required: false with a key function — no key runs unguarded, a key is guarded over the selected part', async () => {
        const { client, executions, events, seen } = await start();
        await client.delivery.mutate({ amount: 5, deliveredAt: new Date() });
        await client.delivery.mutate({ amount: 5, deliveredAt: new Date() });
        expect(executions.delivery).toBe(2);
        expect(seen.claims).toBe(0);
        const first = await client.delivery.mutate({ eventId: 'evt_1', amount: 5, deliveredAt: new Date(0) });
        const redelivered = await client.delivery.mutate({
          eventId: 'evt_1',
          amount: 5,
          deliveredAt: new Date(),
        });
        expect(redelivered).toEqual(first);
        expect(first.key).toBe('evt_1');
        expect(executions.delivery).toBe(3);
        const changed = await rejected(
          client.delivery.mutate({ eventId: 'evt_1', amount: 6, deliveredAt: new Date() }),
        );
        expect(guardrailsData(changed)).toMatchObject({ reason: 'payload-mismatch' });
        expect(events.filter((event) => event.type === 'unguarded')).toEqual([
          { type: 'unguarded', path: 'delivery', owner: 'provider' },
          { type: 'unguarded', path: 'delivery', owner: 'provider' },
        ]);
      });
    },
  );
}
