import type { Redis } from '@upstash/redis';
import superjson from 'superjson';
import type { BenchContext } from './bench-router.js';
import type { createThreeLimiters } from './upstash-ratelimit-peer.js';

/**
 * The hand-written pattern DESIGN.md starts from: three limiters awaited in turn, then `GET` the
 * key, run, `SET` the result (superjson) for 24 h. Five round trips for a first execution, four
 * for a replay, and racy: two duplicates can both miss the `GET`.
 */
export function seedPattern(redis: Redis, limiters: ReturnType<typeof createThreeLimiters>, prefix: string) {
  return async function handWritten<T>(ctx: BenchContext, key: string, run: () => Promise<T>): Promise<T> {
    if (!(await limiters.inTurn(ctx))) throw new Error('limited');
    const recordKey = `${prefix}:idem:${ctx.userId}:${key}`;
    // @upstash/redis parses JSON strings on read, so the superjson envelope comes back as an object.
    const cached = await redis.get<Parameters<typeof superjson.deserialize>[0]>(recordKey);
    if (cached) return superjson.deserialize<T>(cached);
    const result = await run();
    await redis.set(recordKey, superjson.stringify(result), { ex: 86_400 });
    return result;
  };
}
