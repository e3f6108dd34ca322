import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import { type StoreFixture, uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import type { ReplayCacheOptions } from './replay-cache.js';
import { ReplayCache } from './replay-cache.js';

type Ctx = { userId: string };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real store, counting the requests that reach it. */
function counted(store: GuardrailsStore) {
  const calls = { count: 0 };
  const wrapped = { ...store } as GuardrailsStore;
  for (const name of ['check', 'complete', 'extend', 'release'] as const) {
    const original = store[name].bind(store) as (request: never) => Promise<never>;
    (wrapped as unknown as Record<string, unknown>)[name] = (request: never) => {
      calls.count++;
      return original(request);
    };
  }
  return { store: wrapped, calls };
}

function build(
  store: GuardrailsStore,
  prefix: string,
  replayCache: boolean | ReplayCacheOptions = true,
  ttl = '1 h',
) {
  const { store: countedStore, calls } = counted(store);
  const events: GuardrailsEvent[] = [];
  let executions = 0;
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const guard = createGuardrails<Ctx>()({
    store: countedStore,
    prefix,
    replayCache,
    scopes: { user: { limiter: fixedWindow(1000, '1 h'), identify: ({ ctx }) => ctx.userId } },
    idempotency: { owner: ({ ctx }) => ctx.userId, ttl: ttl as '1 h', lease: ttl as '1 h' },
    onEvent: (event) => events.push(event),
  });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    pay: procedure
      .idempotent()
      .input(z.object({ cents: z.number() }))
      .mutation(({ input }) => ({
        cents: input.cents,
        n: ++executions,
        at: new Date('2026-11-30T12:00:00Z'),
      })),
    limitedPay: procedure
      .rateLimited('user')
      .idempotent()
      .input(z.object({ cents: z.number() }))
      .mutation(({ input }) => ({ cents: input.cents, n: ++executions })),
  });
  const caller = (userId = 'u_1') => t.createCallerFactory(router)({ userId });
  return { guard, caller, calls, events, executions: () => executions };
}

describe.each([
  ['memory', () => ({ store: memoryStore(), sibling: () => memoryStore() }) as StoreFixture],
  ['upstash (real redis-server behind upstash-local)', gatewayForThisFile().fixture],
])('replay cache: %s store', (_, fixture) => {
  it('answers a replay from memory with no store round trip, typed as the first answer', async () => {
    const app = build(fixture().store, uniquePrefix('rc'));
    const first = await app.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    const before = app.calls.count;
    const replays = await Promise.all(
      [1, 2, 3].map(() => app.caller().pay({ cents: 5, idempotencyKey: 'k1' })),
    );
    expect(app.calls.count - before).toBe(0);
    for (const replay of replays) expect(replay).toEqual(first);
    expect(replays[0]!.at).toBeInstanceOf(Date);
    expect(app.executions()).toBe(1);
    expect(app.events.filter((event) => event.type === 'replayed')).toHaveLength(3);
  });

  it('refuses the same key with another input locally (422), and keeps owners apart', async () => {
    const app = build(fixture().store, uniquePrefix('rc'));
    await app.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    const before = app.calls.count;
    await expect(app.caller().pay({ cents: 6, idempotencyKey: 'k1' })).rejects.toMatchObject({
      code: 'UNPROCESSABLE_CONTENT',
    });
    expect(app.calls.count - before).toBe(0);
    // Another owner's key is another record: it runs.
    await app.caller('u_2').pay({ cents: 6, idempotencyKey: 'k1' });
    expect(app.executions()).toBe(2);
  });

  it('fills from a replay read from the store on another instance', async () => {
    // Two guards (each with its own cache) on one backend: two server instances, in effect.
    const { store } = fixture();
    const prefix = uniquePrefix('rc');
    const a = build(store, prefix);
    const b = build(store, prefix);
    await a.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    await b.caller().pay({ cents: 5, idempotencyKey: 'k1' }); // from the store: one round trip
    const before = b.calls.count;
    await b.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    expect(b.calls.count - before).toBe(0);
    expect(a.executions() + b.executions()).toBe(1);
  });

  it('never answers past maxAge, nor past the record', async () => {
    const app = build(fixture().store, uniquePrefix('rc'), { maxAge: '200 ms' });
    await app.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    await sleep(250);
    const before = app.calls.count;
    await app.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    expect(app.calls.count - before).toBe(1); // asked the store again
    expect(app.executions()).toBe(1);

    const short = build(fixture().store, uniquePrefix('rc'), { maxAge: '1 h' }, '300 ms');
    await short.caller().pay({ cents: 5, idempotencyKey: 'k2' });
    await sleep(400); // the record expired: the key may run again, and the cache must not say otherwise
    await short.caller().pay({ cents: 5, idempotencyKey: 'k2' });
    expect(short.executions()).toBe(2);
  });

  it('leaves calls whose group has a rate limit to the store: the replay counts against the limit', async () => {
    const app = build(fixture().store, uniquePrefix('rc'));
    await app.caller().limitedPay({ cents: 5, idempotencyKey: 'k1' });
    const before = app.calls.count;
    await app.caller().limitedPay({ cents: 5, idempotencyKey: 'k1' });
    expect(app.calls.count - before).toBe(1);
  });

  it('an eviction through this guard reaches its own cache at once', async () => {
    const app = build(fixture().store, uniquePrefix('rc'));
    await app.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    expect(await app.guard.evict({ path: 'pay', owner: 'u_1', key: 'k1' })).toBe('evicted');
    await app.caller().pay({ cents: 5, idempotencyKey: 'k1' });
    expect(app.executions()).toBe(2);
  });
});

describe('ReplayCache bounds', () => {
  const outcome = (payload: string) => ({ kind: 'result', payload }) as const;
  it('drops the least recently used past maxEntries or maxBytes', () => {
    const cache = new ReplayCache({ maxEntries: 2, maxBytes: 1_000, maxAgeMs: 60_000 });
    cache.remember('a', 'f', outcome('1'), Date.now() + 60_000);
    cache.remember('b', 'f', outcome('2'), Date.now() + 60_000);
    expect(cache.lookup('a', 'f')).toBeDefined(); // a is now the most recent
    cache.remember('c', 'f', outcome('3'), Date.now() + 60_000);
    expect([cache.lookup('a', 'f'), cache.lookup('b', 'f'), cache.lookup('c', 'f')].map(Boolean)).toEqual([
      true,
      false,
      true,
    ]);
    cache.remember('big', 'f', outcome('x'.repeat(400)), Date.now() + 60_000);
    expect(cache.size).toBeLessThanOrEqual(2);
    cache.remember('huge', 'f', outcome('x'.repeat(600)), Date.now() + 60_000);
    expect(cache.lookup('huge', 'f')).toBeUndefined();
  });
});
