import { initTRPC } from '@trpc/server';
import { SuperJSON } from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGuardrails } from '../guard/create-guardrails.js';
import { memoryStore } from '../stores/memory/memory-store.js';

class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}
  format(): string {
    return `${(this.cents / 100).toFixed(2)} ${this.currency}`;
  }
}

describe('results are stored with the transformer the app gave tRPC', () => {
  it('keeps a class registered on the app’s own superjson instance through a replay', async () => {
    const appSuperjson = new SuperJSON();
    appSuperjson.registerClass(Money, { identifier: 'Money' });
    const t = initTRPC.create({ transformer: appSuperjson });
    const guard = createGuardrails<object>()({ store: memoryStore() });
    let runs = 0;
    const router = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .input(z.object({ cents: z.number() }))
        .mutation(({ input }) => ({ run: ++runs, total: new Money(input.cents, 'EUR'), at: new Date(0) })),
    });
    const caller = t.createCallerFactory(router)({});
    const first = await caller.pay({ idempotencyKey: 'k', cents: 500 });
    const replay = await caller.pay({ idempotencyKey: 'k', cents: 500 });
    expect(runs).toBe(1);
    expect(replay.total).toBeInstanceOf(Money);
    expect(replay.total.format()).toBe('5.00 EUR');
    expect(replay).toEqual(first);
  });

  it('fingerprints an input class the app’s transformer knows, and refuses one it does not', async () => {
    const appSuperjson = new SuperJSON();
    appSuperjson.registerClass(Money, { identifier: 'Money' });
    const t = initTRPC.create({ transformer: appSuperjson });
    const guard = createGuardrails<object>()({ store: memoryStore() });
    const router = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .input(z.object({ total: z.instanceof(Money) }))
        .mutation(({ input }) => input.total.cents),
    });
    const caller = t.createCallerFactory(router)({});
    expect(await caller.pay({ idempotencyKey: 'm', total: new Money(500, 'EUR') })).toBe(500);
    await expect(caller.pay({ idempotencyKey: 'm', total: new Money(501, 'EUR') })).rejects.toMatchObject({
      code: 'UNPROCESSABLE_CONTENT',
    });
    class Unregistered {
      cents = 1;
    }
    const loose = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .input(z.object({ total: z.instanceof(Unregistered) }))
        .mutation(() => 1),
    });
    const refused = await t
      .createCallerFactory(loose)({})
      .pay({ idempotencyKey: 'u', total: new Unregistered() })
      .catch((error: Error) => error);
    await expect(Promise.reject(refused)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/instance of Unregistered, a class the transformer does not know/),
    });
  });
});
