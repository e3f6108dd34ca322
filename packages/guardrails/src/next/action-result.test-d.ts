/**
 * Type tests of `trpc-guardrails/next`, checked by `tsc` (`pnpm typecheck`). A line that must not
 * compile carries `@ts-expect-error`.
 */
import { initTRPC, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { experimental_nextAppDirCaller } from '@trpc/server/adapters/next-app-dir';
import superjson from 'superjson';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import type { GuardrailsErrorData } from '../errors.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import {
  type ActionFailure,
  type ActionResult,
  type ActionSuccess,
  actionResponseHeaders,
  toActionResult,
} from './index.js';

type Context = { userId: string; resHeaders: Headers };
const t = initTRPC.context<Context>().meta<{ path?: string }>().create({ transformer: superjson });
const guard = createGuardrails<Context>()({ store: memoryStore(), headers: ({ ctx }) => ctx.resHeaders });
const pay = guard
  .procedure(t.procedure)
  .experimental_caller(
    experimental_nextAppDirCaller({
      pathExtractor: ({ meta }: { meta: { path?: string } }) => meta.path ?? '',
      createContext: () => ({ userId: 'u1', resHeaders: actionResponseHeaders() }),
    }),
  )
  .meta({ path: 'checkout.pay' })
  .idempotent()
  .input(z.object({ amount: z.number() }))
  .mutation(({ input }) => ({ chargeId: 'ch_1', amount: input.amount, chargedAt: new Date() }));

type Payment = { chargeId: string; amount: number; chargedAt: Date };

// The procedure's output is the success's data, end to end.
const result = toActionResult(() => pay({ idempotencyKey: 'k', amount: 5 }));
expectTypeOf(result).toEqualTypeOf<Promise<ActionResult<Payment>>>();
// So is the work's value with guard.once(), and a synchronous call's.
expectTypeOf(
  toActionResult(() => guard.once({ key: 'k', owner: 'u1' }, async () => ({ orderId: 'o_1' }))),
).toEqualTypeOf<Promise<ActionResult<{ orderId: string }>>>();
expectTypeOf(toActionResult(() => 42)).toEqualTypeOf<Promise<ActionResult<number>>>();

declare const outcome: ActionResult<Payment>;
if (outcome.ok) {
  expectTypeOf(outcome).toEqualTypeOf<ActionSuccess<Payment>>();
  expectTypeOf(outcome.data.chargedAt).toEqualTypeOf<Date>();
  expectTypeOf(outcome.replayed).toEqualTypeOf<boolean>();
  // @ts-expect-error a success has no error code
  outcome.code;
} else {
  expectTypeOf(outcome).toEqualTypeOf<ActionFailure>();
  expectTypeOf(outcome.code).toEqualTypeOf<TRPC_ERROR_CODE_KEY>();
  expectTypeOf(outcome.message).toEqualTypeOf<string>();
  expectTypeOf(outcome.guardrails).toEqualTypeOf<GuardrailsErrorData | undefined>();
  expectTypeOf(outcome.retryAfter).toEqualTypeOf<number | undefined>();
  // @ts-expect-error a failure has no data
  outcome.data;
  // The verdict narrows on `kind`, as `error.data.guardrails` does over HTTP.
  if (outcome.guardrails?.kind === 'rate-limit') {
    expectTypeOf(outcome.guardrails.scope).toEqualTypeOf<string>();
    expectTypeOf(outcome.guardrails.retryAfter).toEqualTypeOf<number>();
  }
  if (outcome.guardrails?.kind === 'idempotency') {
    expectTypeOf(outcome.guardrails.reason).toEqualTypeOf<import('../errors.js').IdempotencyErrorReason>();
  }
}
// @ts-expect-error narrow on `ok` before reading the data
outcome.data;

// Options: a message for internal errors, a hook for every failure's error.
void toActionResult(() => 1, { internalErrorMessage: 'Try again', onError: (error) => error.code });
// @ts-expect-error the call is a function, not a promise
void toActionResult(pay({ idempotencyKey: 'k', amount: 5 }));
expectTypeOf(actionResponseHeaders()).toEqualTypeOf<Headers>();
