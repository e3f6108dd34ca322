/**
 * Type tests: checked by `tsc` (`pnpm typecheck`). A line that must not compile carries
 * `@ts-expect-error`, so it fails the check the day it starts compiling.
 */
import { type inferRouterInputs, type inferRouterOutputs, initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import type { GuardrailsErrorData } from '../errors.js';
import { guardrailsErrorFormatter } from '../errors.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import type { IdempotencyContext } from '../idempotency/context.js';
import { fixedWindow, slidingWindow, tokenBucket } from '../rate-limit/algorithms.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { inferGuardScopes } from './types.js';

type Context = { ip: string; userId?: string; tenantId?: string; resHeaders?: Headers };
const t = initTRPC
  .context<Context>()
  .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });

const guard = createGuardrails<Context>()({
  store: memoryStore(),
  scopes: {
    ip: { limiter: slidingWindow(20, '10 s'), identify: ({ ctx }) => ctx.ip },
    user: { limiter: fixedWindow(100, '60 s'), identify: ({ ctx }) => ctx.userId },
    tenant: {
      limiter: tokenBucket(10, '1 m', 100),
      identify: ({ ctx }) => ctx.tenantId,
      onStoreError: 'allow',
    },
  },
  idempotency: { owner: ({ ctx }) => ctx.userId ?? ctx.ip },
  headers: ({ ctx }) => ctx.resHeaders,
});
const procedure = guard.procedure(t.procedure);

// Scope names are the configured ones.
expectTypeOf<inferGuardScopes<typeof procedure>>().toEqualTypeOf<'ip' | 'user' | 'tenant'>();
expectTypeOf(guard.scopes).toEqualTypeOf<readonly ('ip' | 'user' | 'tenant')[]>();
// @ts-expect-error 'usr' is not a configured scope
procedure.rateLimited('usr');
// @ts-expect-error nor inside an array
procedure.rateLimited(['ip', 'usr']);
// @ts-expect-error an empty list of scopes
procedure.rateLimited([]);
// @ts-expect-error cost is a number
procedure.rateLimited('ip', { cost: '2' });

createGuardrails<Context>()({
  store: memoryStore(),
  scopes: {
    ip: {
      limiter: fixedWindow(1, '1 s'),
      // @ts-expect-error identify must return an identifier, not an object
      identify: () => ({}),
    },
  },
});
// @ts-expect-error durations are typed strings
createGuardrails<Context>()({ store: memoryStore(), idempotency: { ttl: '24 hours' } });
// @ts-expect-error onStoreError is 'deny' | 'allow'
createGuardrails<Context>()({ store: memoryStore(), idempotency: { onStoreError: 'ignore' } });

// Without the curried call, one explicit type argument leaves scope names as string (no partial inference).
const loose = createGuardrails<Context>({
  store: memoryStore(),
  scopes: { ip: { limiter: fixedWindow(1, '1 s'), identify: ({ ctx }) => ctx.ip } },
});
expectTypeOf<
  inferGuardScopes<
    ReturnType<typeof loose.procedure<Context, object, object, any, any, any, any, false, unknown>>
  >
>().toEqualTypeOf<string>();

const authed = t.middleware(({ ctx, next }) =>
  next({ ctx: { userId: ctx.userId ?? 'anon', role: 'admin' as const } }),
);
const output = z.object({ id: z.string(), at: z.date() });

const router = t.router({
  // The guard methods survive every builder call, in any order, and types flow through.
  pay: procedure
    .use(authed)
    .meta({})
    .rateLimited(['ip', 'user'])
    .rateLimited('tenant', { cost: 2 })
    .idempotent()
    .input(z.object({ customerId: z.string(), amountCents: z.number().int() }).strict())
    .output(output)
    .mutation(({ input, ctx }) => {
      expectTypeOf(input).toEqualTypeOf<{ customerId: string; amountCents: number }>();
      expectTypeOf(ctx.role).toEqualTypeOf<'admin'>();
      expectTypeOf(ctx.userId).toEqualTypeOf<string>();
      expectTypeOf(ctx.idempotency).toEqualTypeOf<IdempotencyContext>();
      expectTypeOf(ctx.idempotency.token).toBeNumber();
      expectTypeOf(ctx.ip).toBeString();
      return { id: 'in_1', at: new Date() };
    }),
  // idempotent first, then input, then use: still fine.
  later: procedure
    .idempotent({ concurrent: 'reject', ttl: '1 h' })
    .input(z.object({ n: z.number() }))
    .use(({ next }) => next({ ctx: { extra: 1 } }))
    .rateLimited('ip')
    .mutation(({ ctx, input }) => ({ key: ctx.idempotency.key, extra: ctx.extra, n: input.n, big: 1n })),
  // A derived key leaves the input type alone.
  webhook: procedure
    .idempotent({ key: ({ rawInput }) => (rawInput as { eventId: string }).eventId })
    .input(z.object({ eventId: z.string() }))
    .mutation(() => ({ ok: true as const })),
  // Idempotent without an input schema: the input is just the key.
  bare: procedure.idempotent().mutation(({ input }) => {
    expectTypeOf(input).toEqualTypeOf<undefined>();
    return 1;
  }),
  // A <form action> input: the key is a form field, so the input type stays FormData.
  form: procedure
    .idempotent()
    .input(z.instanceof(FormData))
    .mutation(({ input }) => {
      expectTypeOf(input).toEqualTypeOf<FormData>();
      return input.get('amountCents');
    }),
  // Plain tRPC usage is untouched.
  plain: procedure.input(z.string()).query(({ input }) => input.length),
  concatenated: procedure
    .concat(t.procedure.use(authed))
    .rateLimited('ip')
    .query(({ ctx }) => ctx.role),
});

type Inputs = inferRouterInputs<typeof router>;
type Outputs = inferRouterOutputs<typeof router>;
expectTypeOf<Inputs['pay']>().toEqualTypeOf<{
  idempotencyKey: string;
  customerId: string;
  amountCents: number;
}>();
expectTypeOf<Inputs['later']>().toEqualTypeOf<{ idempotencyKey: string; n: number }>();
expectTypeOf<Inputs['webhook']>().toEqualTypeOf<{ eventId: string }>();
expectTypeOf<Inputs['bare']>().toEqualTypeOf<{ idempotencyKey: string }>();
expectTypeOf<Inputs['plain']>().toEqualTypeOf<string>();
expectTypeOf<Inputs['form']>().toEqualTypeOf<FormData>();
expectTypeOf<Outputs['pay']>().toEqualTypeOf<{ id: string; at: Date }>();
expectTypeOf<Outputs['later']>().toEqualTypeOf<{ key: string; extra: number; n: number; big: bigint }>();
expectTypeOf<Outputs['concatenated']>().toEqualTypeOf<'admin'>();

// The error shape carries the typed guardrails data for clients.
type ErrorShape = (typeof router)['_def']['_config']['$types']['errorShape'];
expectTypeOf<ErrorShape['data']['guardrails']>().toEqualTypeOf<GuardrailsErrorData | undefined>();

// A caller needs the key; the handler never sees it.
const caller = t.createCallerFactory(router)({ ip: '1.1.1.1' });
// @ts-expect-error idempotencyKey is required
void caller.pay({ customerId: 'c', amountCents: 1 });
void caller.pay({ customerId: 'c', amountCents: 1, idempotencyKey: 'k' });
void caller.form(new FormData()); // the key travels as a form field
// @ts-expect-error a form procedure takes FormData, not an object with the key
void caller.form({ idempotencyKey: 'k' });

// @ts-expect-error the guard's context must match the procedure's
guard.procedure(initTRPC.context<{ somethingElse: number }>().create().procedure);
