import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The real memory store, with `complete` and `extend` failing while `down()` says so: what a
 * store that became unreachable as the handler finished looks like to its owner.
 */
function withOutage(store: GuardrailsStore, down: () => boolean) {
  const calls = { complete: 0 };
  const wrapped: GuardrailsStore = {
    maxResultBytes: store.maxResultBytes,
    check: (request) => store.check(request),
    release: (request) => store.release(request),
    extend: async (request) => {
      if (down()) throw new Error('connection refused');
      return store.extend(request);
    },
    complete: async (request) => {
      calls.complete++;
      if (down()) throw new Error('connection refused');
      return store.complete(request);
    },
  };
  return { store: wrapped, calls };
}

function build(store: GuardrailsStore, options: { lease?: `${number} ms`; maxCount?: number } = {}) {
  const events: GuardrailsEvent[] = [];
  let executions = 0;
  const t = initTRPC.context<{ userId: string }>().create({ transformer: superjson });
  const guard = createGuardrails<{ userId: string }>()({
    store,
    idempotency: { owner: ({ ctx }) => ctx.userId, lease: options.lease ?? '2000 ms', timeout: '200 ms' },
    pendingOutcomes: { maxCount: options.maxCount ?? 1000 },
    onEvent: (event) => events.push(event),
  });
  const router = t.router({
    pay: guard
      .procedure(t.procedure)
      .idempotent()
      .input(z.object({ cents: z.number(), size: z.number().optional() }))
      .mutation(({ input }) => ({ charge: ++executions, at: new Date(), blob: 'x'.repeat(input.size ?? 0) })),
  });
  const caller = t.createCallerFactory(router)({ userId: 'u1' });
  const ofType = <T extends GuardrailsEvent['type']>(type: T) =>
    events.filter((event): event is Extract<GuardrailsEvent, { type: T }> => event.type === type);
  return { caller, guard, events, ofType, executions: () => executions };
}

describe('landing the outcome after the handler ran', () => {
  it('keeps retrying a failed complete in the background; the caller is answered at once', async () => {
    let down = true;
    const { store, calls } = withOutage(memoryStore(), () => down);
    const { caller, ofType, executions } = build(store);
    const first = await caller.pay({ idempotencyKey: 'k', cents: 5 });
    expect(first.charge).toBe(1);
    expect(ofType('executed')[0]).toMatchObject({ stored: false });
    expect(ofType('store-error')[0]).toMatchObject({ operation: 'complete', policy: 'retry' });
    await sleep(300);
    down = false;
    await sleep(1_100);
    expect(ofType('outcome-stored')[0]).toMatchObject({
      key: 'k',
      token: first.charge > 0 ? expect.any(Number) : 0,
    });
    expect(ofType('outcome-stored')[0]!.attempts).toBe(calls.complete);
    expect(calls.complete).toBeGreaterThanOrEqual(3);
    const again = await caller.pay({ idempotencyKey: 'k', cents: 5 });
    expect(again).toEqual(first);
    expect(executions()).toBe(1);
    expect(ofType('outcome-lost')).toHaveLength(0);
  });

  it('wakes a duplicate waiting in this process the moment the late outcome lands', async () => {
    let down = true;
    const { store } = withOutage(memoryStore(), () => down);
    const { caller, executions } = build(store);
    const first = await caller.pay({ idempotencyKey: 'k', cents: 5 });
    const duplicate = caller.pay({ idempotencyKey: 'k', cents: 5 }); // in progress: waits
    await sleep(200);
    down = false;
    expect(await duplicate).toEqual(first);
    expect(executions()).toBe(1);
  });

  it('keeps its claim through an outage longer than the lease: nobody else could take over', async () => {
    let down = true;
    const shared = memoryStore();
    const { store } = withOutage(shared, () => down);
    const { caller, ofType, executions } = build(store, { lease: '300 ms' });
    const first = await caller.pay({ idempotencyKey: 'k', cents: 5 });
    await sleep(800); // more than two leases
    down = false;
    await sleep(1_200);
    expect(ofType('outcome-stored')).toHaveLength(1);
    expect(await caller.pay({ idempotencyKey: 'k', cents: 5 })).toEqual(first);
    expect(executions()).toBe(1);
    expect(ofType('outcome-lost')).toHaveLength(0);
  });

  it('reports outcome-lost when cut off past its lease while another instance took over: the one path to a second run', async () => {
    let down = true;
    const shared = memoryStore();
    const owner = build(withOutage(shared, () => down).store, { lease: '300 ms' });
    const other = build(shared, { lease: '300 ms' });
    await owner.caller.pay({ idempotencyKey: 'k', cents: 5 });
    await sleep(500);
    const retried = await other.caller.pay({ idempotencyKey: 'k', cents: 5 });
    expect(other.ofType('executed')[0]).toMatchObject({ takeover: true, stored: true });
    down = false;
    await sleep(1_200);
    expect(owner.ofType('outcome-lost')).toEqual([
      expect.objectContaining({ key: 'k', owner: 'u1', reason: 'fenced', outcome: 'result' }),
    ]);
    expect(owner.executions() + other.executions()).toBe(2);
    expect(await owner.caller.pay({ idempotencyKey: 'k', cents: 5 })).toEqual(retried);
  });

  it("gives up when the store stays unreachable past the unfinished record's TTL", async () => {
    const t = initTRPC.context<{ userId: string }>().create({ transformer: superjson });
    const events: GuardrailsEvent[] = [];
    const guard = createGuardrails<{ userId: string }>()({
      store: withOutage(memoryStore(), () => true).store,
      idempotency: { owner: ({ ctx }) => ctx.userId, lease: '200 ms', ttl: '500 ms', timeout: '100 ms' },
      onEvent: (event) => events.push(event),
    });
    const router = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .mutation(() => 'paid'),
    });
    await t.createCallerFactory(router)({ userId: 'u1' }).pay({ idempotencyKey: 'k' });
    await sleep(1_000);
    expect(events.filter((event) => event.type === 'outcome-lost')).toEqual([
      expect.objectContaining({ reason: 'expired', outcome: 'result' }),
    ]);
  });

  it('holds at most pendingOutcomes.maxCount outcomes; past it one is reported lost at once', async () => {
    const { store } = withOutage(memoryStore(), () => true);
    const { caller, ofType } = build(store, { maxCount: 1 });
    await caller.pay({ idempotencyKey: 'a', cents: 5 });
    await caller.pay({ idempotencyKey: 'b', cents: 5 });
    expect(ofType('outcome-lost')).toEqual([expect.objectContaining({ key: 'b', reason: 'overflow' })]);
  });

  it('close() waits for outcomes still being retried, and refuses new calls meanwhile', async () => {
    let down = true;
    const { store } = withOutage(memoryStore(), () => down);
    const { caller, guard, ofType } = build(store);
    await caller.pay({ idempotencyKey: 'k', cents: 5 });
    setTimeout(() => {
      down = false;
    }, 300);
    const closing = guard.close({ timeout: '5 s' });
    await expect(caller.pay({ idempotencyKey: 'other', cents: 1 })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringMatching(/shutting down/),
    });
    expect(await closing).toEqual({ pending: 1, givenUp: 0 });
    expect(ofType('outcome-stored')).toHaveLength(1);
  });

  it('close() gives up what it cannot land in time and says so', async () => {
    const { store } = withOutage(memoryStore(), () => true);
    const { caller, guard, ofType } = build(store);
    await caller.pay({ idempotencyKey: 'k', cents: 5 });
    expect(await guard.close({ timeout: '150 ms' })).toEqual({ pending: 1, givenUp: 1 });
    await sleep(50);
    expect(ofType('outcome-lost')).toEqual([expect.objectContaining({ key: 'k', reason: 'shutdown' })]);
  });

  it('stores a marker for a result over maxResultBytes: duplicates are refused with a typed error, never run', async () => {
    const { caller, ofType, executions } = build(memoryStore({ maxResultBytes: 1_000 }));
    const first = await caller.pay({ idempotencyKey: 'big', cents: 5, size: 5_000 });
    expect(first.blob).toHaveLength(5_000); // the first caller still gets its result
    for (let i = 0; i < 3; i++) {
      await expect(caller.pay({ idempotencyKey: 'big', cents: 5, size: 5_000 })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/"pay" already ran .* too large to store/),
        cause: {
          data: { kind: 'idempotency', reason: 'result-not-replayable', path: 'pay', cause: 'too-large' },
        },
      });
    }
    expect(executions()).toBe(1);
    expect(ofType('replayed')[0]).toMatchObject({ outcome: 'unreplayable' });
  });

  it('stores a marker for a result the transformer cannot serialize', async () => {
    const t = initTRPC.create({
      transformer: {
        serialize: (value: unknown) => {
          if ((value as { poison?: boolean })?.poison) throw new Error('cannot serialize');
          return value;
        },
        deserialize: (value: unknown) => value,
      },
    });
    let executions = 0;
    const guard = createGuardrails<object>()({ store: memoryStore() });
    const router = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .mutation(() => ({ poison: true, n: ++executions })),
    });
    const caller = t.createCallerFactory(router)({});
    await caller.pay({ idempotencyKey: 'p' });
    await expect(caller.pay({ idempotencyKey: 'p' })).rejects.toMatchObject({
      cause: { data: { reason: 'result-not-replayable', cause: 'not-serializable' } },
    });
    expect(executions).toBe(1);
  });
});
