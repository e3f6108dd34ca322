import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GuardrailsConfigError } from '../errors.js';
import { fixedWindow, slidingWindow } from '../rate-limit/algorithms.js';
import { type StoreFixture, uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import { createGuardrails } from './create-guardrails.js';

type Ctx = { ip: string; userId: string; plan: 'free' | 'pro' };

function build(store: GuardrailsStore) {
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const guard = createGuardrails<Ctx>()({
    store,
    prefix: uniquePrefix('admin'),
    scopes: {
      ip: { limiter: fixedWindow(3, '1 h'), identify: ({ ctx }) => ctx.ip },
      tenant: {
        limiter: ({ ctx }) => (ctx.plan === 'pro' ? fixedWindow(100, '1 h') : fixedWindow(5, '1 h')),
        identify: ({ ctx }) => ctx.userId,
      },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId },
  });
  let executions = 0;
  let hold: Promise<void> | undefined;
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    pay: procedure
      .rateLimited(['ip', 'tenant'])
      .idempotent()
      .input(z.object({ amount: z.number() }))
      .mutation(async ({ input }) => {
        executions++;
        await hold;
        return { charged: input.amount, at: new Date('2026-11-30T12:00:00Z') };
      }),
    export: procedure.rateLimited('ip', { limiter: slidingWindow(2, '1 h') }).mutation(() => 'csv'),
  });
  const caller = (userId = 'u_1', ip = '198.51.100.4', plan: Ctx['plan'] = 'free') =>
    t.createCallerFactory(router)({ ip, userId, plan });
  return {
    guard,
    caller,
    executions: () => executions,
    holdHandler() {
      let release!: () => void;
      hold = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
  };
}

describe.each([
  ['memory', () => ({ store: memoryStore(), sibling: () => memoryStore() }) as StoreFixture],
  ['upstash (real redis-server behind upstash-local)', gatewayForThisFile().fixture],
])('guard admin API: %s store', (_, fixture) => {
  it('inspects the record behind a charge: in progress with its token, then done with the typed result', async () => {
    const app = build(fixture().store);
    const release = app.holdHandler();
    const paying = app.caller().pay({ amount: 500, idempotencyKey: 'k-1' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const running = await app.guard.inspect({ path: 'pay', owner: 'u_1', key: 'k-1' });
    expect(running).toMatchObject({ state: 'in-progress', takeover: false });
    if (running.state === 'in-progress') expect(running.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now());
    release();
    await paying;
    const done = await app.guard.inspect({ path: 'pay', owner: 'u_1', key: 'k-1' });
    expect(done).toMatchObject({
      state: 'done',
      outcome: { kind: 'result', value: { charged: 500, at: new Date('2026-11-30T12:00:00Z') } },
    });
    if (done.state === 'done' && running.state === 'in-progress') expect(done.token).toBe(running.token);
    // Owners are separate namespaces.
    expect(await app.guard.inspect({ path: 'pay', owner: 'u_2', key: 'k-1' })).toMatchObject({
      state: 'absent',
    });
  });

  it('evicts a record so the key runs again; a live lease needs force', async () => {
    const app = build(fixture().store);
    await app.caller().pay({ amount: 1, idempotencyKey: 'k-2' });
    await app.caller().pay({ amount: 1, idempotencyKey: 'k-2' });
    expect(app.executions()).toBe(1);
    expect(await app.guard.evict({ path: 'pay', owner: 'u_1', key: 'k-2' })).toBe('evicted');
    await app.caller().pay({ amount: 1, idempotencyKey: 'k-2' });
    expect(app.executions()).toBe(2);

    const release = app.holdHandler();
    // Another address: the three calls above spent this one's limit.
    const paying = app.caller('u_1', '198.51.100.5').pay({ amount: 1, idempotencyKey: 'k-3' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await app.guard.evict({ path: 'pay', owner: 'u_1', key: 'k-3' })).toBe('in-progress');
    release();
    await paying;
  });

  it('reads what is left without taking it, and resets a caller', async () => {
    const app = build(fixture().store);
    await app.caller().pay({ amount: 1, idempotencyKey: 'r-1' });
    await app.caller().pay({ amount: 1, idempotencyKey: 'r-2' });
    const left = await app.guard.remaining({ scope: 'ip', identifier: '198.51.100.4' });
    expect(left).toMatchObject({ limit: 3, remaining: 1 });
    expect(left.reset.getTime()).toBeGreaterThan(Date.now());
    expect(await app.guard.remaining({ scope: 'ip', identifier: '198.51.100.4' })).toMatchObject({
      remaining: 1,
    });
    // A per-call limiter reads under what it picks for the caller.
    expect(
      await app.guard.remaining({
        scope: 'tenant',
        identifier: 'u_1',
        ctx: { ip: '', userId: 'u_1', plan: 'free' },
      }),
    ).toMatchObject({
      limit: 5,
      remaining: 3,
    });
    await expect(app.guard.remaining({ scope: 'tenant', identifier: 'u_1' })).rejects.toThrow(
      /pass the caller's \{ ctx \}/,
    );

    await app.caller().pay({ amount: 1, idempotencyKey: 'r-3' });
    await expect(app.caller().pay({ amount: 1, idempotencyKey: 'r-4' })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
    expect(await app.guard.resetLimit({ scope: 'ip', identifier: '198.51.100.4' })).toBe('reset');
    await app.caller().pay({ amount: 1, idempotencyKey: 'r-4' });
  });

  it("reaches a procedure's own bucket by its path", async () => {
    const app = build(fixture().store);
    await app.caller().export();
    await app.caller().export();
    await expect(app.caller().export()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(
      await app.guard.remaining({
        scope: 'ip',
        identifier: '198.51.100.4',
        procedure: 'export',
        limiter: slidingWindow(2, '1 h'),
      }),
    ).toMatchObject({ remaining: 0 });
    expect(await app.guard.resetLimit({ scope: 'ip', identifier: '198.51.100.4', procedure: 'export' })).toBe(
      'reset',
    );
    expect(await app.caller().export()).toBe('csv');
  });
});

describe('guard admin API: what it refuses', () => {
  it('says which method a store lacks, and which scope is unknown', async () => {
    const { inspect: _, evict: __, peekLimit: ___, resetLimit: ____, ...bare } = memoryStore();
    const app = build(bare as GuardrailsStore);
    await expect(app.guard.inspect({ path: 'pay', key: 'k' })).rejects.toThrow(GuardrailsConfigError);
    await expect(app.guard.inspect({ path: 'pay', key: 'k' })).rejects.toThrow(
      /this store has no inspect\(\)/,
    );
    await expect(app.guard.resetLimit({ scope: 'nope' as never, identifier: 'x' })).rejects.toThrow(
      /scope "nope" is not configured/,
    );
  });
});
