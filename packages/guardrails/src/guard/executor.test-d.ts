/**
 * Type tests of `guard.once()` and `guard.limit()`, checked by `tsc` (`pnpm typecheck`). A line
 * that must not compile carries `@ts-expect-error`.
 */
import { expectTypeOf } from 'vitest';
import type { IdempotencyContext } from '../idempotency/context.js';
import { slidingWindow } from '../rate-limit/algorithms.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { createGuardrails } from './create-guardrails.js';

type Context = { ip: string; userId?: string };
const guard = createGuardrails<Context>()({
  store: memoryStore(),
  scopes: {
    ip: { limiter: slidingWindow(10, '10 s'), identify: ({ ctx }) => ctx.ip },
    user: { limiter: slidingWindow(10, '10 s'), identify: ({ ctx }) => ctx.userId },
  },
});
const ctx: Context = { ip: '203.0.113.1', userId: 'u1' };

// The value is the work's own type, whether the work is async or not.
const charge = guard.once({ key: 'k', owner: 'u1', input: { cents: 5 } }, async (idempotency) => {
  expectTypeOf(idempotency).toEqualTypeOf<IdempotencyContext>();
  expectTypeOf(idempotency.token).toEqualTypeOf<number>();
  return { chargeId: 'ch_1', at: new Date() };
});
expectTypeOf(charge).toEqualTypeOf<Promise<{ chargeId: string; at: Date }>>();
expectTypeOf(guard.once({ key: 'k', owner: 1, path: 'jobs.count' }, () => 42)).toEqualTypeOf<
  Promise<number>
>();

// Rate limits in the same round trip: configured scope names, and the context they identify.
void guard.once({ key: 'k', owner: 'u1', ctx, rateLimited: ['ip', 'user'] }, () => 1);
void guard.once({ key: 'k', owner: 'u1', ctx, rateLimited: { scope: 'user', cost: 2 } }, () => 1);
// @ts-expect-error a scope that is not configured
void guard.once({ key: 'k', owner: 'u1', ctx, rateLimited: 'tenant' }, () => 1);
// @ts-expect-error the scopes identify the caller from ctx: it is required with rateLimited
void guard.once({ key: 'k', owner: 'u1', rateLimited: 'ip' }, () => 1);
// @ts-expect-error the owner is required: records are scoped by it
void guard.once({ key: 'k' }, () => 1);
// @ts-expect-error ctx is the guard's context type
void guard.once({ key: 'k', owner: 'u1', ctx: { ip: 1 } }, () => 1);
// @ts-expect-error the work is required
void guard.once({ key: 'k', owner: 'u1' });

expectTypeOf(guard.limit('ip', { ctx })).toEqualTypeOf<Promise<void>>();
void guard.limit(['ip', 'user'], { ctx, cost: 3, path: 'jobs.export', headers: new Headers() });
// @ts-expect-error a scope that is not configured
void guard.limit('tenant', { ctx });
// @ts-expect-error the context is passed as { ctx }
void guard.limit('ip', ctx);
