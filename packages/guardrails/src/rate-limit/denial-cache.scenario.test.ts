import { initTRPC } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GuardrailsEvent, LimitedEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { type StoreFixture, uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { countingChecks } from '../testing/counting-store.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import { fixedWindow, slidingWindow, tokenBucket } from './algorithms.js';
import type { LimiterChoice } from './options.js';

type Ctx = { userId: string };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function build(
  store: GuardrailsStore,
  prefix: string,
  limiter: LimiterChoice<Ctx>,
  { denialCache = true, bulkCost = 1 } = {},
) {
  const { store: countedStore, calls } = countingChecks(store);
  const events: GuardrailsEvent[] = [];
  let executions = 0;
  const t = initTRPC.context<Ctx>().create();
  const guard = createGuardrails<Ctx>()({
    store: countedStore,
    prefix,
    scopes: {
      user: { limiter, identify: ({ ctx }) => ctx.userId, denialCache },
      // A generous scope without the cache: a locally refused call must not take from it.
      global: { limiter: fixedWindow(1000, '1 h'), identify: () => 'all' },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId },
    onEvent: (event) => events.push(event),
  });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    send: procedure.rateLimited(['global', 'user']).mutation(() => ++executions),
    bulk: procedure.rateLimited(['global', 'user'], { cost: bulkCost }).mutation(() => ++executions),
    pay: procedure
      .rateLimited(['global', 'user'])
      .idempotent()
      .input(z.object({ cents: z.number() }))
      .mutation(() => ++executions),
  });
  const caller = (userId = 'u_1') => t.createCallerFactory(router)({ userId });
  const limited = () => events.filter((event): event is LimitedEvent => event.type === 'limited');
  return { guard, caller, calls, limited, executions: () => executions };
}

const refused = { code: 'TOO_MANY_REQUESTS' };

describe.each([
  ['memory', () => ({ store: memoryStore(), sibling: () => memoryStore() }) as StoreFixture],
  ['upstash (real redis-server behind upstash-local)', gatewayForThisFile().fixture],
])('denial cache: %s store', (_, fixture) => {
  it('refuses a caller the store refused again with no round trip, and takes nothing anywhere', async () => {
    const app = build(fixture().store, uniquePrefix('dc'), fixedWindow(2, '1 h'));
    await app.caller().send();
    await app.caller().send();
    await expect(app.caller().send()).rejects.toMatchObject(refused); // the store says no
    const before = app.calls.checks;
    for (let i = 0; i < 20; i++) await expect(app.caller().send()).rejects.toMatchObject(refused);
    expect(app.calls.checks - before).toBe(0);
    expect(app.limited().map((event) => event.fromDenialCache ?? false)).toEqual([
      false,
      ...Array(20).fill(true),
    ]);
    expect(app.limited().at(-1)).toMatchObject({ scope: 'user', remaining: 0 });
    // The generous scope was charged by the two calls that ran and the one the store refused: none.
    expect(await app.guard.remaining({ scope: 'global', identifier: 'all' })).toMatchObject({
      remaining: 998,
    });
    // Another caller is not refused by this one's denial.
    await app.caller('u_2').send();
    expect(app.executions()).toBe(3);
  });

  it('an idempotent call refused locally makes no record: the same key runs once the caller may', async () => {
    const app = build(fixture().store, uniquePrefix('dc'), fixedWindow(1, '1 h'));
    await app.caller().send();
    await expect(app.caller().pay({ cents: 5, idempotencyKey: 'k1' })).rejects.toMatchObject(refused);
    const before = app.calls.checks;
    await expect(app.caller().pay({ cents: 5, idempotencyKey: 'k1' })).rejects.toMatchObject(refused);
    expect(app.calls.checks - before).toBe(0);
    // Refused before the key is read: the event names the call, not its key.
    expect(app.limited().at(-1)).toMatchObject({ path: 'pay', scope: 'user', fromDenialCache: true });
    expect(await app.guard.inspect({ path: 'pay', owner: 'u_1', key: 'k1' })).toMatchObject({
      state: 'absent',
    });
    await app.guard.resetLimit({ scope: 'user', identifier: 'u_1' });
    await app.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    expect(app.executions()).toBe(2);
  });

  it('a smaller call than the one refused still asks the store, and may pass', async () => {
    const app = build(fixture().store, uniquePrefix('dc'), fixedWindow(4, '1 h'), { bulkCost: 3 });
    await app.caller().bulk(); // 3 of 4 used
    await expect(app.caller().bulk()).rejects.toMatchObject(refused);
    const before = app.calls.checks;
    await app.caller().send(); // cost 1 fits
    expect(app.calls.checks - before).toBe(1);
    expect(app.executions()).toBe(2);
  });

  it.each([
    ['fixed window', fixedWindow(2, '700 ms')],
    ['sliding window', slidingWindow(2, '700 ms')],
    ['token bucket', tokenBucket(1, '700 ms', 2)],
  ])('%s: asks the store again once the refusal can have lapsed, and passes', async (_, limiter) => {
    const app = build(fixture().store, uniquePrefix('dc'), limiter);
    // Start just after a window boundary (windows are aligned to the epoch), so the refusal has
    // most of a window ahead of it rather than a few milliseconds.
    await sleep(700 - (Date.now() % 700) + 5);
    const refusedAt = async () => {
      for (;;) {
        try {
          await app.caller().send();
        } catch {
          return;
        }
      }
    };
    await refusedAt();
    const deadline = Date.now() + 5_000;
    const before = app.calls.checks;
    // Hammer until a call passes: every call between is either local or an honest store refusal.
    for (;;) {
      try {
        await app.caller().send();
        break;
      } catch (error) {
        expect(error).toMatchObject(refused);
        expect(Date.now()).toBeLessThan(deadline);
        await sleep(5);
      }
    }
    const local = app.limited().filter((event) => event.fromDenialCache).length;
    const askedStore = app.calls.checks - before;
    expect(local).toBeGreaterThan(10);
    // The store was asked only when the refusal could have lapsed: a couple of times, not per call.
    expect(askedStore).toBeLessThanOrEqual(3);
  });

  it('without the option every refusal goes to the store', async () => {
    const app = build(fixture().store, uniquePrefix('dc'), fixedWindow(1, '1 h'), { denialCache: false });
    await app.caller().send();
    const before = app.calls.checks;
    for (let i = 0; i < 5; i++) await expect(app.caller().send()).rejects.toMatchObject(refused);
    expect(app.calls.checks - before).toBe(5);
    expect(app.limited().some((event) => event.fromDenialCache)).toBe(false);
  });

  it("guard.resetLimit clears this instance's denials at once", async () => {
    const app = build(fixture().store, uniquePrefix('dc'), fixedWindow(1, '1 h'));
    await app.caller().send();
    await expect(app.caller().send()).rejects.toMatchObject(refused);
    await expect(app.caller().send()).rejects.toMatchObject(refused);
    expect(await app.guard.resetLimit({ scope: 'user', identifier: 'u_1' })).toBe('reset');
    await app.caller().send();
    expect(app.executions()).toBe(2);
  });

  it('a caller moved to a bigger limit at runtime is asked about afresh', async () => {
    let tier = fixedWindow(1, '1 h');
    const app = build(fixture().store, uniquePrefix('dc'), () => tier);
    await app.caller().send();
    await expect(app.caller().send()).rejects.toMatchObject(refused);
    await expect(app.caller().send()).rejects.toMatchObject(refused);
    tier = fixedWindow(5, '1 h'); // upgraded: the old refusal says nothing about the new limit
    await app.caller().send();
    expect(app.executions()).toBe(2);
  });
});
