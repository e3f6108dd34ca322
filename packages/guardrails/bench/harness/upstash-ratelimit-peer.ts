import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import type { BenchContext } from './bench-router.js';
import { UNLIMITED } from './settings.js';

/**
 * The README's three scopes as `@upstash/ratelimit` users write them: one `Ratelimit` per scope
 * (its defaults, as its README shows), checked one after another or all at once.
 */
export function createThreeLimiters(redis: Redis, prefix: string) {
  const limiters = [
    {
      limiter: new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(UNLIMITED, '10 s'),
        prefix: `${prefix}:ip`,
      }),
      id: (ctx: BenchContext) => ctx.ip,
    },
    {
      limiter: new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(UNLIMITED, '60 s'),
        prefix: `${prefix}:user`,
      }),
      id: (ctx: BenchContext) => ctx.userId,
    },
    {
      limiter: new Ratelimit({
        redis,
        limiter: Ratelimit.tokenBucket(UNLIMITED, '60 s', UNLIMITED),
        prefix: `${prefix}:tenant`,
      }),
      id: (ctx: BenchContext) => ctx.tenantId,
    },
  ];
  return {
    /** Each limiter awaited in turn: the seed pattern's way. */
    async inTurn(ctx: BenchContext): Promise<boolean> {
      for (const { limiter, id } of limiters) if (!(await limiter.limit(id(ctx))).success) return false;
      return true;
    },
    /** All three at once; `@upstash/redis` auto-pipelining may put them in one request. */
    async together(ctx: BenchContext): Promise<boolean> {
      const results = await Promise.all(limiters.map(({ limiter, id }) => limiter.limit(id(ctx))));
      return results.every((result) => result.success);
    },
  };
}
