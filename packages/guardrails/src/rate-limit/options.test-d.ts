/**
 * Type tests for per-call limiters, own buckets and access lists: checked by `tsc`. A line that
 * must not compile carries `@ts-expect-error`.
 */
import { initTRPC } from '@trpc/server';
import { expectTypeOf } from 'vitest';
import type { BlockedErrorData, GuardrailsErrorData, RateLimitErrorData } from '../errors.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { ipScope } from '../identity/ip-scope.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { type AccessList, accessList } from './access-list.js';
import { fixedWindow, type Limiter, slidingWindow } from './algorithms.js';
import type { LimiterChoice, ScopeCallOptions } from './options.js';

type Plan = 'free' | 'pro';
type Context = { ip: string; userId?: string; tenant: { plan: Plan } };
const t = initTRPC.context<Context>().create();
const plans: Record<Plan, Limiter> = { free: slidingWindow(10, '1 m'), pro: slidingWindow(1000, '1 m') };

const guard = createGuardrails<Context>()({
  store: memoryStore(),
  scopes: {
    // The limiter function sees the app's context, typed.
    tenant: {
      limiter: ({ ctx, path, type }) => {
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        expectTypeOf(path).toEqualTypeOf<string>();
        expectTypeOf(type).toEqualTypeOf<'query' | 'mutation' | 'subscription'>();
        return plans[ctx.tenant.plan];
      },
      identify: ({ ctx }) => ctx.userId,
    },
    // Lists: an AccessList or an array of entries; ipScope passes them through.
    ip: ipScope({
      limiter: fixedWindow(20, '1 m'),
      address: ({ ctx }) => ctx.ip,
      deny: accessList(['203.0.113.0/24']),
    }),
    user: { limiter: () => null, identify: ({ ctx }) => ctx.userId, allow: ['admin'] as const },
  },
});
const procedure = guard.procedure(t.procedure);

// Own bucket with a per-call limiter that sees the context, including what middlewares added.
procedure
  .use(({ next }) => next({ ctx: { seats: 3 } }))
  .rateLimited('tenant', {
    limiter: ({ ctx }) => {
      expectTypeOf(ctx.seats).toEqualTypeOf<number>();
      return fixedWindow(ctx.seats, '1 m');
    },
    bucket: 'checkout',
    cost: 1,
  })
  .mutation(() => 'ok');

procedure.rateLimited('user', { limiter: fixedWindow(3, '1 m') }).mutation(() => 'ok');

// @ts-expect-error a limiter is a limiter or a function returning one
procedure.rateLimited('user', { limiter: 5 });
// @ts-expect-error a bucket is named by a string
procedure.rateLimited('user', { bucket: 7 });
createGuardrails<Context>()({
  store: memoryStore(),
  // @ts-expect-error a limiter function returns a limiter, null or undefined
  scopes: { broken: { limiter: () => 'lots', identify: () => 'x' } },
});
createGuardrails<Context>()({
  store: memoryStore(),
  // @ts-expect-error lists hold strings
  scopes: { broken: { limiter: fixedWindow(1, '1 s'), identify: () => 'x', deny: [42] } },
});

expectTypeOf<LimiterChoice<Context>>().toEqualTypeOf<
  Limiter | ((opts: ScopeCallOptions<Context>) => Limiter | null | undefined)
>();
expectTypeOf(accessList()).toEqualTypeOf<AccessList>();
expectTypeOf(accessList().add('x')).toEqualTypeOf<AccessList>();

// The client's error data tells a blocked call from a limited one.
declare const data: GuardrailsErrorData;
if (data.kind === 'blocked') expectTypeOf(data).toEqualTypeOf<BlockedErrorData>();
if (data.kind === 'rate-limit') expectTypeOf(data.bucket).toEqualTypeOf<string | undefined>();
expectTypeOf<RateLimitErrorData['scope']>().toEqualTypeOf<string>();
