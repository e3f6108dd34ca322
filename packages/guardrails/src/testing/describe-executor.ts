import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GuardrailsConfigError, getGuardrailsErrorData } from '../errors.js';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import {
  build,
  type Ctx,
  counting,
  payments,
  refusal,
  sleep,
  withCompleteOutage,
  withoutHeartbeats,
} from './executor-fixtures.js';

const intent = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  owner: 'u1',
  input: { customerId: 'c1', amountCents: 500 },
  path: 'billing.charge',
  ...extra,
});

/**
 * `guard.once()` and `guard.limit()` against one store: the standalone executor's semantics,
 * which are the tRPC middleware's (one engine).
 */
export function describeExecutor(storeName: string, setup: () => StoreFixture) {
  describe(`guard.once() and guard.limit() with ${storeName}`, () => {
    it('runs the work once, then replays its typed value (Date, BigInt, Map) with Idempotent-Replayed', async () => {
      const { guard, events } = build(setup().store);
      const pay = payments();
      const first = await guard.once(intent('k1'), pay.charge);
      const headers = new Headers();
      const again = await guard.once(intent('k1', { headers }), pay.charge);
      expect(pay.runs()).toBe(1);
      expect(again).toEqual(first);
      expect(again.chargedAt).toBeInstanceOf(Date);
      expect(again.amount).toBe(500n);
      expect(again.lines).toEqual(new Map([['fee', 25]]));
      expect(headers.get('Idempotent-Replayed')).toBe('true');
      expect(events.map((event) => event.type)).toEqual(['executed', 'replayed']);
      expect(events[0]).toMatchObject({ path: 'billing.charge', owner: 'u1', key: 'k1', stored: true });
    });

    it('gives the work the key and a fencing token; records are scoped by owner and path', async () => {
      const { guard } = build(setup().store);
      const pay = payments();
      const first = await guard.once(intent('k2'), pay.charge);
      expect(first.key).toBe('k2');
      expect(first.token).toBeGreaterThan(0);
      await guard.once(intent('k2', { owner: 'u2' }), pay.charge);
      await guard.once(intent('k2', { path: 'billing.refund' }), pay.charge);
      expect(pay.runs()).toBe(3);
    });

    it('runs concurrent duplicates once: the others wait and get the same value', async () => {
      const { guard, ofType } = build(setup().store);
      const pay = payments();
      const open = pay.hold();
      const calls = Array.from({ length: 5 }, () => guard.once(intent('k3'), pay.charge));
      await sleep(100);
      open();
      const results = await Promise.all(calls);
      expect(pay.runs()).toBe(1);
      for (const result of results) expect(result).toEqual(results[0]);
      expect(ofType('executed')).toHaveLength(1);
    });

    it("answers CONFLICT with retryAfter to a duplicate while the first runs, with concurrent: 'reject'", async () => {
      const { guard } = build(setup().store);
      const pay = payments();
      const open = pay.hold();
      const running = guard.once(intent('k4'), pay.charge);
      await sleep(50);
      const error = await refusal(guard.once(intent('k4', { concurrent: 'reject' }), pay.charge));
      open();
      await running;
      expect(error.code).toBe('CONFLICT');
      expect(getGuardrailsErrorData(error)).toMatchObject({ kind: 'idempotency', reason: 'in-progress' });
      expect((getGuardrailsErrorData(error) as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(1);
      expect(pay.runs()).toBe(1);
    });

    it('refuses the same key with another input: UNPROCESSABLE_CONTENT, payload-mismatch', async () => {
      const { guard, ofType } = build(setup().store);
      const pay = payments();
      await guard.once(intent('k5'), pay.charge);
      const error = await refusal(
        guard.once(intent('k5', { input: { customerId: 'c1', amountCents: 501 } }), pay.charge),
      );
      expect(error.code).toBe('UNPROCESSABLE_CONTENT');
      expect(getGuardrailsErrorData(error)).toEqual({ kind: 'idempotency', reason: 'payload-mismatch' });
      expect(ofType('conflict')).toEqual([
        expect.objectContaining({ reason: 'payload-mismatch', key: 'k5' }),
      ]);
      expect(pay.runs()).toBe(1);
    });

    it('stores what the work throws and replays it; cacheError opts an error out', async () => {
      const { guard } = build(setup().store);
      let runs = 0;
      const declined = async () => {
        runs++;
        throw new TRPCError({ code: 'PAYMENT_REQUIRED', message: 'Card declined' });
      };
      const crashed = async () => {
        runs++;
        throw new Error('provider timeout');
      };
      const first = await refusal(guard.once(intent('k6'), declined));
      const replayed = await refusal(guard.once(intent('k6'), declined));
      expect([first.code, first.message]).toEqual(['PAYMENT_REQUIRED', 'Card declined']);
      expect([replayed.code, replayed.message]).toEqual(['PAYMENT_REQUIRED', 'Card declined']);
      expect(runs).toBe(1);
      // Anything else is an internal error, the original kept as `cause` for the first caller.
      const internal = await refusal(guard.once(intent('k7'), crashed));
      expect(internal.code).toBe('INTERNAL_SERVER_ERROR');
      expect(internal.cause).toBeInstanceOf(Error);
      expect((await refusal(guard.once(intent('k7'), crashed))).code).toBe('INTERNAL_SERVER_ERROR');
      expect(runs).toBe(2);
      const retryable = intent('k8', { cacheError: () => false });
      await refusal(guard.once(retryable, crashed));
      await refusal(guard.once(retryable, crashed));
      expect(runs).toBe(4);
    });

    it('refuses a missing or invalid key with BAD_REQUEST and runs nothing; bad options throw at once', async () => {
      const { guard } = build(setup().store);
      const pay = payments();
      for (const [key, reason] of [
        ['', 'missing-key'],
        ['naïve', 'invalid-key'],
        ['x'.repeat(256), 'invalid-key'],
      ] as const) {
        const error = await refusal(guard.once(intent(key), pay.charge));
        expect(error.code).toBe('BAD_REQUEST');
        expect(getGuardrailsErrorData(error)).toEqual({ kind: 'idempotency', reason });
      }
      await expect(guard.once(intent('k9', { path: '' }), pay.charge)).rejects.toThrow(GuardrailsConfigError);
      await expect(guard.once(intent('k9', { owner: '' }), pay.charge)).rejects.toThrow(
        /guard\.once\(\{ owner \}\) must be a non-empty string or a number/,
      );
      expect(pay.runs()).toBe(0);
    });

    it('keeps the lease with heartbeats while long work runs: a duplicate waits instead of taking over', async () => {
      const { store, sibling } = setup();
      const prefix = uniquePrefix('beat');
      const a = build(store, { prefix, lease: '300 ms' });
      const b = build(sibling(), { prefix, lease: '300 ms' });
      const pay = payments();
      const open = pay.hold();
      const running = a.guard.once(intent('k10'), pay.charge);
      await sleep(700); // more than two leases
      const duplicate = b.guard.once(intent('k10'), pay.charge);
      await sleep(100);
      open();
      const [first, second] = await Promise.all([running, duplicate]);
      expect(pay.runs()).toBe(1);
      expect(second).toEqual(first);
    });

    it('fences a paused owner: the takeover gets a greater token, the stale outcome is never stored', async () => {
      const { store, sibling } = setup();
      const prefix = uniquePrefix('fence');
      const paused = build(withoutHeartbeats(store), { prefix, lease: '300 ms' });
      const live = build(sibling(), { prefix, lease: '300 ms' });
      const pay = payments();
      const open = pay.hold();
      const stale = paused.guard.once(intent('k11'), pay.charge);
      await sleep(500); // the paused owner's lease lapsed
      const taken = await live.guard.once(intent('k11'), pay.charge);
      open();
      const late = await stale;
      const [staleToken, newToken] = pay.tokens;
      expect(newToken).toBeGreaterThan(staleToken!);
      expect(taken.token).toBe(newToken);
      // One answer per intent: the stale owner's caller gets the record's outcome.
      expect(late).toEqual(taken);
      expect(paused.ofType('outcome-lost')).toEqual([expect.objectContaining({ reason: 'fenced' })]);
      expect(live.ofType('executed')).toEqual([expect.objectContaining({ takeover: true, stored: true })]);
    });

    it('lands the outcome in the background through waitUntil when the store fails at complete', async () => {
      let down = true;
      const tasks: Promise<unknown>[] = [];
      const { guard, ofType } = build(
        withCompleteOutage(setup().store, () => down),
        { waitUntil: (task) => tasks.push(task), lease: '2 s' },
      );
      const pay = payments();
      const first = await guard.once(intent('k12'), pay.charge);
      expect(tasks).toHaveLength(1);
      expect(ofType('executed')[0]).toMatchObject({ stored: false });
      down = false;
      await tasks[0];
      expect(ofType('outcome-stored')).toHaveLength(1);
      expect(await guard.once(intent('k12'), pay.charge)).toEqual(first);
      expect(pay.runs()).toBe(1);
    });

    it('shares records with .idempotent(): the same path, owner, key and input replay across both', async () => {
      const { store } = setup();
      const { guard, prefix } = build(store);
      const t = initTRPC.context<Ctx>().create({ transformer: superjson });
      const pay = payments();
      const router = t.router({
        billing: t.router({
          charge: guard
            .procedure(t.procedure)
            .idempotent({ owner: ({ ctx }) => ctx.userId })
            .input(z.object({ customerId: z.string(), amountCents: z.number() }))
            .mutation(({ ctx }) => pay.charge(ctx.idempotency)),
        }),
      });
      const caller = t.createCallerFactory(router)({ ip: '203.0.113.1', userId: 'u1' });
      const viaTrpc = await caller.billing.charge({
        idempotencyKey: 'k13',
        customerId: 'c1',
        amountCents: 500,
      });
      const viaOnce = await build(store, { prefix }).guard.once(intent('k13'), pay.charge);
      expect(viaOnce).toEqual(viaTrpc);
      expect(pay.runs()).toBe(1);
    });

    describe('rate limits', () => {
      it('guard.limit allows the limit, then TOO_MANY_REQUESTS with data.guardrails, headers and an event', async () => {
        const { guard, ofType } = build(setup().store, { limits: { ip: 2 } });
        const ctx = { ip: '203.0.113.2', userId: 'u1' };
        await guard.limit('ip', { ctx });
        await guard.limit('ip', { ctx });
        const headers = new Headers();
        const error = await refusal(guard.limit(['ip', 'user'], { ctx, headers, path: 'jobs.export' }));
        expect(error.code).toBe('TOO_MANY_REQUESTS');
        expect(error.message).toMatch(/^Rate limit exceeded for "ip": retry in \d+ s$/);
        const data = getGuardrailsErrorData(error);
        expect(data).toMatchObject({ kind: 'rate-limit', scope: 'ip', limit: 2, remaining: 0 });
        expect((data as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(1);
        expect(headers.get('Retry-After')).toBe(String((data as { retryAfter: number }).retryAfter));
        expect(headers.get('X-RateLimit-Limit')).toBe('2');
        expect(ofType('limited')).toEqual([
          expect.objectContaining({ path: 'jobs.export', scope: 'ip', identifier: '203.0.113.2' }),
        ]);
        // Another caller has its own counter; the scope's headers come from the guard's `headers`.
        const resHeaders = new Headers();
        await guard.limit('ip', { ctx: { ip: '203.0.113.3', userId: 'u2', resHeaders } });
        expect(resHeaders.get('X-RateLimit-Remaining')).toBe('1');
      });

      it('guard.once({ rateLimited }) checks the limits and the claim in one round trip; a limited call claims nothing', async () => {
        const { store, calls } = counting(setup().store);
        const prefix = uniquePrefix('limited');
        const limited = build(store, { prefix, limits: { user: 1 } });
        const ctx = { ip: '203.0.113.4', userId: 'u1' };
        const pay = payments();
        await limited.guard.once(intent('k14', { ctx, rateLimited: ['ip', 'user'] }), pay.charge);
        expect(calls).toMatchObject({ check: 1, complete: 1 }); // the cost table's 2 round trips
        const error = await refusal(
          limited.guard.once(intent('k15', { ctx, rateLimited: { scope: 'user' } }), pay.charge),
        );
        expect(getGuardrailsErrorData(error)).toMatchObject({ kind: 'rate-limit', scope: 'user' });
        expect(calls.check).toBe(2);
        expect(pay.runs()).toBe(1);
        // k15 took no claim: without the limit the same key runs at once, not "in progress".
        await build(store, { prefix }).guard.once(intent('k15', { concurrent: 'reject' }), pay.charge);
        expect(pay.runs()).toBe(2);
      });
    });
  });
}
