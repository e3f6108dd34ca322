/**
 * Type tests of `.idempotent({ required: false })` and `fingerprint.select`, checked by `tsc`
 * (`pnpm typecheck`). A line that must not compile carries `@ts-expect-error`.
 */
import { type inferRouterInputs, initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import type { GuardrailsEvent, UnguardedEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import type { IdempotencyContext, UnguardedIdempotencyContext } from '../idempotency/context.js';
import { memoryStore } from '../stores/memory/memory-store.js';

type Context = { ip: string; userId?: string };
const t = initTRPC.context<Context>().create({ transformer: superjson });
const guard = createGuardrails<Context>()({
  store: memoryStore(),
  idempotency: { owner: ({ ctx }) => ctx.userId ?? ctx.ip },
});
const procedure = guard.procedure(t.procedure);
const invoice = z.object({ customerId: z.string(), amountCents: z.number().int(), sentAt: z.date() });
type MaybeGuarded = IdempotencyContext | UnguardedIdempotencyContext;

const router = t.router({
  // No key → unguarded: the key is optional in the input, and ctx says whether the call is guarded.
  optional: procedure
    .idempotent({ required: false })
    .input(invoice.strict())
    .mutation(({ input, ctx }) => {
      expectTypeOf(input).toEqualTypeOf<{ customerId: string; amountCents: number; sentAt: Date }>();
      expectTypeOf(ctx.idempotency).toEqualTypeOf<MaybeGuarded>();
      expectTypeOf(ctx.idempotency.key).toEqualTypeOf<string | undefined>();
      expectTypeOf(ctx.idempotency.token).toEqualTypeOf<number | undefined>();
      // @ts-expect-error the key may be missing: it is not a string until checked
      ctx.idempotency.key.length;
      if (ctx.idempotency.key !== undefined) {
        expectTypeOf(ctx.idempotency).toEqualTypeOf<IdempotencyContext>();
        expectTypeOf(ctx.idempotency.token).toEqualTypeOf<number>();
      } else {
        expectTypeOf(ctx.idempotency).toEqualTypeOf<UnguardedIdempotencyContext>();
        expectTypeOf(ctx.idempotency.token).toEqualTypeOf<undefined>();
      }
      return 1;
    }),
  // `required: true` spelled out is the default: same types as `.idempotent()`.
  requiredTrue: procedure
    .idempotent({ required: true })
    .input(invoice)
    .mutation(({ ctx }) => {
      expectTypeOf(ctx.idempotency).toEqualTypeOf<IdempotencyContext>();
      return ctx.idempotency.key;
    }),
  // Without an input schema the whole input may be left out.
  optionalBare: procedure.idempotent({ required: false }).mutation(({ input }) => {
    expectTypeOf(input).toEqualTypeOf<undefined>();
    return 1;
  }),
  // An input that may be left out still may.
  optionalMaybeInput: procedure
    .idempotent({ required: false })
    .input(z.object({ note: z.string() }).optional())
    .mutation(() => 1),
  // A <form action>: the key is a form field either way.
  optionalForm: procedure
    .idempotent({ required: false })
    .input(z.instanceof(FormData))
    .mutation(({ input }) => {
      expectTypeOf(input).toEqualTypeOf<FormData>();
      return 1;
    }),
  // A derived key that may be missing: the input is unchanged, ctx says whether it was found.
  optionalKeyed: procedure
    .idempotent({
      key: ({ rawInput }) => (rawInput as { eventId?: string }).eventId,
      required: false,
    })
    .input(z.object({ eventId: z.string().optional() }))
    .mutation(({ ctx }) => {
      expectTypeOf(ctx.idempotency).toEqualTypeOf<MaybeGuarded>();
      return 1;
    }),
  // Before `.input()`, select gets the raw input as `unknown`: nothing has checked it yet.
  selectUntyped: procedure
    .idempotent({
      fingerprint: {
        maxDepth: 8,
        select: (input) => {
          expectTypeOf(input).toBeUnknown();
          const { customerId, amountCents } = input as z.input<typeof invoice>;
          return { customerId, amountCents };
        },
      },
    })
    .input(invoice.strict())
    .mutation(() => 1),
  // After `.input()` (a schema that ignores extra keys), select gets the schema's input type.
  selectTyped: procedure
    .input(invoice)
    .idempotent({
      required: false,
      fingerprint: {
        select: (input) => {
          expectTypeOf(input).toEqualTypeOf<{ customerId: string; amountCents: number; sentAt: Date }>();
          // @ts-expect-error no such field in the input
          input.traceId;
          return { customerId: input.customerId, amountCents: input.amountCents };
        },
      },
    })
    .mutation(() => 1),
  // A schema that declares the key itself: select still gets the input without it.
  selectOwnKey: procedure
    .input(z.object({ idempotencyKey: z.string(), amountCents: z.number() }))
    .idempotent({
      fingerprint: {
        select: (input) => {
          expectTypeOf(input).toEqualTypeOf<{ amountCents: number }>();
          return input;
        },
      },
    })
    .mutation(() => 1),
  // With a derived key nothing is removed from the input select gets.
  selectKeyed: procedure
    .input(z.object({ eventId: z.string(), receivedAt: z.date() }))
    .idempotent({
      key: ({ rawInput }) => (rawInput as { eventId: string }).eventId,
      fingerprint: {
        select: (input) => {
          expectTypeOf(input).toEqualTypeOf<{ eventId: string; receivedAt: Date }>();
          return input.eventId;
        },
      },
    })
    .mutation(({ ctx }) => {
      expectTypeOf(ctx.idempotency).toEqualTypeOf<IdempotencyContext>();
      return 1;
    }),
});

type Inputs = inferRouterInputs<typeof router>;
expectTypeOf<Inputs['optional']>().toEqualTypeOf<{
  idempotencyKey?: string;
  customerId: string;
  amountCents: number;
  sentAt: Date;
}>();
expectTypeOf<Inputs['requiredTrue']>().toEqualTypeOf<{
  idempotencyKey: string;
  customerId: string;
  amountCents: number;
  sentAt: Date;
}>();
// tRPC adds `void` to any input that may be `undefined`: the argument may be left out.
expectTypeOf<Inputs['optionalBare']>().toEqualTypeOf<{ idempotencyKey?: string } | undefined | void>();
expectTypeOf<Inputs['optionalMaybeInput']>().toEqualTypeOf<
  { idempotencyKey?: string; note: string } | undefined | void
>();
expectTypeOf<Inputs['optionalForm']>().toEqualTypeOf<FormData>();
expectTypeOf<Inputs['optionalKeyed']>().toEqualTypeOf<{ eventId?: string | undefined }>();
expectTypeOf<Inputs['selectTyped']>().toEqualTypeOf<{
  idempotencyKey?: string;
  customerId: string;
  amountCents: number;
  sentAt: Date;
}>();
expectTypeOf<Inputs['selectOwnKey']>().toEqualTypeOf<{ idempotencyKey: string; amountCents: number }>();

const caller = t.createCallerFactory(router)({ ip: '1.1.1.1' });
const sentAt = new Date();
void caller.optional({ customerId: 'c', amountCents: 1, sentAt }); // no key: runs unguarded
void caller.optional({ customerId: 'c', amountCents: 1, sentAt, idempotencyKey: 'k' });
void caller.optionalBare();
// @ts-expect-error the key is a string when it is sent
void caller.optional({ customerId: 'c', amountCents: 1, sentAt, idempotencyKey: 1 });
// @ts-expect-error the default still requires the key
void caller.requiredTrue({ customerId: 'c', amountCents: 1, sentAt });

// `required` must be a literal: the input and ctx types depend on it.
declare const flag: boolean;
// @ts-expect-error a boolean could be either
procedure.idempotent({ required: flag });
// @ts-expect-error required is a boolean
procedure.idempotent({ required: 'no' });
procedure.idempotent({
  fingerprint: {
    // @ts-expect-error before .input(), select cannot claim a type for the unchecked input
    select: (input: { amountCents: number }) => input.amountCents,
  },
});
// @ts-expect-error select is a function
procedure.idempotent({ fingerprint: { select: ['amountCents'] } });
// @ts-expect-error select is per procedure; the guard-wide fingerprint is only the budget
createGuardrails<Context>()({ store: memoryStore(), idempotency: { fingerprint: { select: () => 1 } } });

// The event that shows a keyless call.
expectTypeOf<Extract<GuardrailsEvent, { type: 'unguarded' }>>().toEqualTypeOf<UnguardedEvent>();
expectTypeOf<UnguardedEvent>().toEqualTypeOf<{ type: 'unguarded'; path: string; owner?: string }>();
