import { initTRPC, TRPCError } from '@trpc/server';
import { experimental_nextAppDirCaller } from '@trpc/server/adapters/next-app-dir';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GuardrailsConfigError } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { createGuardrails } from './create-guardrails.js';

type Ctx = { userId: string };
type Meta = { path?: string };

/**
 * Server Actions built with tRPC's real `experimental_nextAppDirCaller`, which calls every
 * procedure with the path `''` unless its `pathExtractor` names it.
 */
function actions(pathExtractor?: (opts: { meta: Meta }) => string) {
  const events: GuardrailsEvent[] = [];
  let executions = 0;
  const t = initTRPC.context<Ctx>().meta<Meta>().create({ transformer: superjson });
  const guard = createGuardrails<Ctx>()({
    store: memoryStore(),
    scopes: { user: { limiter: fixedWindow(100, '1 h'), identify: ({ ctx }) => ctx.userId } },
    idempotency: { owner: ({ ctx }) => ctx.userId },
    onEvent: (event) => events.push(event),
  });
  const action = guard
    .procedure(t.procedure)
    .experimental_caller(
      experimental_nextAppDirCaller({ pathExtractor, createContext: () => ({ userId: 'u1' }) }),
    );
  const input = z.object({ amount: z.number() });
  const run = () => ({ execution: ++executions });
  return {
    pay: action.meta({ path: 'checkout.pay' }).rateLimited('user').idempotent().input(input).mutation(run),
    refund: action.meta({ path: 'checkout.refund' }).idempotent().input(input).mutation(run),
    ownBucket: action
      .meta({ path: 'exports.start' })
      .rateLimited('user', { limiter: fixedWindow(1, '1 h') })
      .mutation(run),
    sharedBucket: action.rateLimited('user').mutation(run),
    events,
    executions: () => executions,
  };
}

async function thrown(call: Promise<unknown>): Promise<TRPCError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to throw');
}

describe('a procedure called with an empty path (a Server Action without pathExtractor)', () => {
  it('is refused by .idempotent() with a message that says to add pathExtractor and .meta({ path })', async () => {
    const { pay, refund, events, executions } = actions();
    const error = await thrown(pay({ idempotencyKey: 'k1', amount: 5 }));
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.cause).toBeInstanceOf(GuardrailsConfigError);
    expect(error.message).toMatch(/an \.idempotent\(\) procedure was called with an empty path/);
    expect(error.message).toMatch(/pathExtractor: \(\{ meta \}\) => meta\.path/);
    expect(error.message).toMatch(/\.meta\(\{ path: 'checkout\.pay' \}\)/);
    // Without the check, the refund would replay the payment's record (same owner, key and input).
    expect((await thrown(refund({ idempotencyKey: 'k1', amount: 5 }))).cause).toBeInstanceOf(
      GuardrailsConfigError,
    );
    expect(executions()).toBe(0);
    expect(events).toEqual([]); // refused before the store: no limit spent, no claim
  });

  it("is refused by .rateLimited({ limiter }), whose own bucket is named by the path; a scope's shared bucket is fine", async () => {
    const { ownBucket, sharedBucket, executions } = actions();
    expect((await thrown(ownBucket())).message).toMatch(
      /a \.rateLimited\(\{ limiter \}\) procedure was called with an empty path.*pathExtractor/,
    );
    expect(await sharedBucket()).toEqual({ execution: 1 });
    expect(executions()).toBe(1);
  });

  it('runs when pathExtractor names each action: their records are apart', async () => {
    const { pay, refund, ownBucket, executions } = actions(({ meta }) => meta.path ?? '');
    expect(await pay({ idempotencyKey: 'k1', amount: 5 })).toEqual({ execution: 1 });
    expect(await pay({ idempotencyKey: 'k1', amount: 5 })).toEqual({ execution: 1 });
    expect(await refund({ idempotencyKey: 'k1', amount: 5 })).toEqual({ execution: 2 });
    expect(await ownBucket()).toEqual({ execution: 3 });
    expect(executions()).toBe(3);
  });
});
