/**
 * Type tests of `.idempotent({ key: fromHeader(...) })`, checked by `tsc` (`pnpm typecheck`). A
 * line that must not compile carries `@ts-expect-error`.
 */
import type { IncomingMessage } from 'node:http';
import { type inferRouterInputs, initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { createGuardrails } from '../guard/create-guardrails.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { IdempotencyContext, UnguardedIdempotencyContext } from './context.js';
import { fromHeader } from './from-header.js';

const charge = z.object({ customerId: z.string(), amountCents: z.number().int() }).strict();

// The fetch adapter's request in the context.
{
  type Context = { req: Request; userId?: string };
  const t = initTRPC.context<Context>().create({ transformer: superjson });
  const guard = createGuardrails<Context>()({ store: memoryStore() });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    pay: procedure
      .idempotent({ key: fromHeader('Idempotency-Key') })
      .input(charge)
      .mutation(({ input, ctx }) => {
        expectTypeOf(input).toEqualTypeOf<{ customerId: string; amountCents: number }>();
        expectTypeOf(ctx.idempotency).toEqualTypeOf<IdempotencyContext>();
        return 1;
      }),
    maybe: procedure
      .idempotent({ key: fromHeader('Idempotency-Key'), required: false })
      .input(charge)
      .mutation(({ ctx }) => {
        expectTypeOf(ctx.idempotency).toEqualTypeOf<IdempotencyContext | UnguardedIdempotencyContext>();
        return 1;
      }),
  });
  type Inputs = inferRouterInputs<typeof router>;
  // The key rides in the header: the input gains no `idempotencyKey`.
  expectTypeOf<Inputs['pay']>().toEqualTypeOf<{ customerId: string; amountCents: number }>();
  expectTypeOf<Inputs['maybe']>().toEqualTypeOf<{ customerId: string; amountCents: number }>();
}

// The standalone adapter's request (Node `IncomingMessage`), optional for server-side callers.
{
  type Context = { req?: IncomingMessage; userId: string };
  const t = initTRPC.context<Context>().create();
  const procedure = createGuardrails<Context>()({ store: memoryStore() }).procedure(t.procedure);
  procedure.idempotent({ key: fromHeader('Idempotency-Key') }).mutation(() => 1);
}

// A context that holds no `req`: say where the request is, typed from the context.
{
  type Context = { request: Request; userId: string };
  const t = initTRPC.context<Context>().create();
  const procedure = createGuardrails<Context>()({ store: memoryStore() }).procedure(t.procedure);
  // @ts-expect-error without options, fromHeader reads `ctx.req`, which this context lacks
  procedure.idempotent({ key: fromHeader('Idempotency-Key') }).mutation(() => 1);
  procedure
    .idempotent({
      key: fromHeader('Idempotency-Key', {
        request: ({ ctx }) => {
          expectTypeOf(ctx).toExtend<Context>();
          return ctx.request;
        },
      }),
    })
    .mutation(() => 1);
  // @ts-expect-error a request must have headers
  fromHeader<Context>('Idempotency-Key', { request: ({ ctx }) => ctx.userId });
}
