import { initTRPC, TRPCError } from '@trpc/server';
import { experimental_nextAppDirCaller, experimental_notFound } from '@trpc/server/adapters/next-app-dir';
import { redirect } from 'next/navigation.js';
import superjson from 'superjson';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { guardrailsErrorFormatter } from '../errors.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { actionResponseHeaders } from './action-response-headers.js';
import { toActionResult } from './to-action-result.js';

type Ctx = { userId: string; resHeaders: Headers };
type Meta = { path?: string };

/**
 * A checkout Server Action wired as the README says: tRPC's real `experimental_nextAppDirCaller`
 * (the function Next.js calls for a `<form action>`), the guard writing its headers to
 * `actionResponseHeaders()`.
 */
function checkout({ userLimit = 100 } = {}) {
  let executions = 0;
  const t = initTRPC
    .context<Ctx>()
    .meta<Meta>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const guard = createGuardrails<Ctx>()({
    store: memoryStore(),
    prefix: uniquePrefix('next'),
    scopes: { user: { limiter: fixedWindow(userLimit, '1 h'), identify: ({ ctx }) => ctx.userId } },
    idempotency: { owner: ({ ctx }) => ctx.userId },
    headers: ({ ctx }) => ctx.resHeaders,
  });
  const action = guard
    .procedure(t.procedure)
    .experimental_caller(
      experimental_nextAppDirCaller({
        normalizeFormData: false,
        pathExtractor: ({ meta }: { meta: Meta }) => meta.path ?? '',
        createContext: async () => ({ userId: 'u1', resHeaders: actionResponseHeaders() }),
      }),
    )
    .meta({ path: 'checkout.pay' });
  const pay = action
    .rateLimited('user')
    .idempotent()
    .input(z.instanceof(FormData).transform((form) => ({ amount: Number(form.get('amount')) })))
    .mutation(async ({ input }) => {
      executions++;
      if (input.amount === 13) throw new Error('ledger password is hunter2');
      if (input.amount === 402) throw new TRPCError({ code: 'PAYMENT_REQUIRED', message: 'Card declined' });
      if (input.amount === 301) redirect('/paid');
      if (input.amount === 404) experimental_notFound();
      return { chargeId: `ch_${executions}`, amount: input.amount, chargedAt: new Date() };
    });
  const form = (idempotencyKey: string, amount: number) => {
    const data = new FormData();
    data.set('idempotencyKey', idempotencyKey);
    data.set('amount', String(amount));
    return data;
  };
  return { pay, form, guard, executions: () => executions };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('toActionResult with a guarded Server Action (experimental_nextAppDirCaller)', () => {
  it('returns the data, then replayed: true for a duplicate (from the header the guard wrote)', async () => {
    const { pay, form, executions } = checkout();
    const first = await toActionResult(() => pay(form('k1', 12)));
    const again = await toActionResult(() => pay(form('k1', 12)));
    expect(first).toMatchObject({ ok: true, replayed: false, data: { chargeId: 'ch_1', amount: 12 } });
    expect(again).toEqual({ ...first, replayed: true });
    expect(again.ok && again.data.chargedAt).toBeInstanceOf(Date);
    expect(executions()).toBe(1);
  });

  it('keeps concurrent calls apart: each reads its own headers', async () => {
    const { pay, form } = checkout();
    await toActionResult(() => pay(form('k2', 5)));
    const results = await Promise.all([
      toActionResult(() => pay(form('k2', 5))),
      toActionResult(() => pay(form('k3', 5))),
      toActionResult(() => pay(form('k2', 5))),
    ]);
    expect(results.map((result) => result.ok && result.replayed)).toEqual([true, false, true]);
  });

  it('turns a rate-limit refusal into a typed failure with the verdict and retryAfter', async () => {
    const { pay, form } = checkout({ userLimit: 1 });
    await toActionResult(() => pay(form('k4', 5)));
    const limited = await toActionResult(() => pay(form('k5', 5)));
    expect(limited).toMatchObject({
      ok: false,
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringMatching(/^Rate limit exceeded for "user": retry in \d+ s$/),
      guardrails: { kind: 'rate-limit', scope: 'user', limit: 1, remaining: 0 },
    });
    if (limited.ok || limited.guardrails?.kind !== 'rate-limit') throw new Error('expected a rate limit');
    expect(limited.retryAfter).toBe(limited.guardrails.retryAfter);
  });

  it('keeps the message of refusals and TRPCErrors: a mismatch, a declined card (replayed)', async () => {
    const { pay, form } = checkout();
    await toActionResult(() => pay(form('k6', 5)));
    expect(await toActionResult(() => pay(form('k6', 6)))).toEqual({
      ok: false,
      code: 'UNPROCESSABLE_CONTENT',
      message: 'This idempotency key was already used with a different input; use a new key for a new intent',
      guardrails: { kind: 'idempotency', reason: 'payload-mismatch' },
      retryAfter: undefined,
    });
    const declined = { ok: false, code: 'PAYMENT_REQUIRED', message: 'Card declined', guardrails: undefined };
    expect(await toActionResult(() => pay(form('k7', 402)))).toMatchObject(declined);
    expect(await toActionResult(() => pay(form('k7', 402)))).toMatchObject(declined);
  });

  it('hides the message of an internal error, first and replayed, and logs it', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { pay, form, executions } = checkout();
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed = await toActionResult(() => pay(form('k8', 13)));
      expect(failed).toEqual({
        ok: false,
        code: 'INTERNAL_SERVER_ERROR',
        message: 'Something went wrong on the server. Please try again.',
        guardrails: undefined,
        retryAfter: undefined,
      });
      expect(JSON.stringify(failed)).not.toContain('hunter2');
    }
    expect(executions()).toBe(1);
    expect(logged).toHaveBeenCalledTimes(2);
    const seen: TRPCError[] = [];
    const custom = await toActionResult(() => pay(form('k9', 13)), {
      internalErrorMessage: 'Press Pay again: the same intent is never charged twice.',
      onError: (error) => seen.push(error),
    });
    expect(custom).toMatchObject({ message: 'Press Pay again: the same intent is never charged twice.' });
    expect(seen.map((error) => error.message)).toEqual(['ledger password is hunter2']);
  });

  it("rethrows Next.js's redirect() and notFound() for Next to act on", async () => {
    const { pay, form } = checkout();
    await expect(toActionResult(() => pay(form('k10', 301)))).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT;replace;\/paid;307;/),
    });
    await expect(toActionResult(() => pay(form('k11', 404)))).rejects.toMatchObject({
      digest: 'NEXT_HTTP_ERROR_FALLBACK;404',
    });
  });

  it('works with guard.once() in a plain Server Action, headers given to the call', async () => {
    const { guard } = checkout();
    let runs = 0;
    const action = (key: string) =>
      toActionResult(() =>
        guard.once(
          { key, owner: 'u1', input: { amount: 5 }, path: 'orders.place', headers: actionResponseHeaders() },
          () => ({
            orderId: `o_${++runs}`,
            at: new Date(),
          }),
        ),
      );
    const first = await action('k12');
    expect(first).toMatchObject({ ok: true, replayed: false, data: { orderId: 'o_1' } });
    expect(await action('k12')).toEqual({ ...first, replayed: true });
    expect(await action('bad key ü')).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
      guardrails: { kind: 'idempotency', reason: 'invalid-key' },
    });
    await expect(
      toActionResult(() =>
        guard.once({ key: 'k13', owner: 'u1', path: 'orders.place' }, () => redirect('/orders/o_1')),
      ),
    ).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT;/) });
  });

  it('gives a throwaway Headers outside toActionResult', () => {
    const outside = actionResponseHeaders();
    outside.set('Idempotent-Replayed', 'true');
    expect(actionResponseHeaders().get('Idempotent-Replayed')).toBeNull();
  });
});
