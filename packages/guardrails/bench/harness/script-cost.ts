import { Redis as IORedis } from 'ioredis';
import type { Limiter } from '../../src/rate-limit/algorithms.js';
import { redisStore } from '../../src/stores/redis/index.js';

/** What redis-server itself spends per script call, in µs (`INFO commandstats`). */
export interface ScriptCost {
  /** `EVALSHA` of `return 1`. */
  returnOne: number;
  /** The guard's check script with 3 limits that allow (the same keys every call). */
  threeLimits: number;
  /** A claim of a new key and its complete: the two scripts of a first execution. */
  claimAndComplete: number;
}

/**
 * Times the guard's scripts inside redis-server: the real store's calls (`redisStore` on a direct
 * ioredis connection, one at a time) and the growth of `cmdstat_evalsha` across them. Nothing
 * else may send `EVALSHA` meanwhile.
 */
export async function scriptCostInRedis(
  port: number,
  limiters: readonly Limiter[],
  calls = 300,
): Promise<ScriptCost> {
  const client = new IORedis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    const store = redisStore(client);
    const tag = `cost${Math.random().toString(36).slice(2, 8)}`;
    const returnOne = (await client.script('LOAD', 'return 1')) as string;
    const limits = limiters.map((limiter, i) => ({ prefix: tag, identifier: `{l${i}}`, limiter, cost: 1 }));
    const outcome = { kind: 'result', payload: '{"json":{"n":1}}' } as const;
    const firstExecution = async (i: number) => {
      const claim = {
        key: `${tag}:idem:{k${i}}`,
        fingerprint: 'f'.repeat(64),
        claimId: crypto.randomUUID(),
        leaseMs: 30_000,
        ttlMs: 86_400_000,
        graceMs: 2_000,
        deadline: Date.now() + 10_000,
      };
      await store.check({ limits: [], claim });
      await store.complete({ key: claim.key, claimId: claim.claimId, outcome, ttlMs: 86_400_000 });
    };
    /** µs per EVALSHA over `calls` runs of `run`, after a few untimed ones. */
    const perCall = async (run: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await run(-1 - i);
      const before = await evalshaStats(client);
      for (let i = 0; i < calls; i++) await run(i);
      const after = await evalshaStats(client);
      return (after.usec - before.usec) / (after.calls - before.calls);
    };
    return {
      returnOne: await perCall(() => client.evalsha(returnOne, 0)),
      threeLimits: await perCall(() => store.check({ limits })),
      claimAndComplete: 2 * (await perCall(firstExecution)),
    };
  } finally {
    client.disconnect();
  }
}

async function evalshaStats(client: IORedis): Promise<{ calls: number; usec: number }> {
  const line = (await client.info('commandstats')).split('\n').find((l) => l.startsWith('cmdstat_evalsha:'));
  return {
    calls: Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0),
    usec: Number(/usec=(\d+)/.exec(line ?? '')?.[1] ?? 0),
  };
}
