import { initTRPC } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { createGuardrails } from '../guard/create-guardrails.js';
import { lazyStore } from './lazy-store.js';
import { memoryStore } from './memory/memory-store.js';

describe('lazyStore', () => {
  it('builds the store on the first call, once, and answers 503 while it cannot', async () => {
    let config: { ready: boolean } | undefined;
    let built = 0;
    const store = lazyStore(() => {
      if (!config?.ready) throw new Error('no environment yet');
      built++;
      return memoryStore({ maxResultBytes: 1234 });
    });
    const t = initTRPC.create();
    const guard = createGuardrails<object>()({ store });
    const router = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .mutation(() => 'paid'),
    });
    const caller = t.createCallerFactory(router)({});
    await expect(caller.pay({ idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    config = { ready: true }; // the first request brought the environment
    expect(await caller.pay({ idempotencyKey: 'k' })).toBe('paid');
    expect(await caller.pay({ idempotencyKey: 'k' })).toBe('paid');
    expect(built).toBe(1);
    expect(store.maxResultBytes).toBe(1234);
  });
});
