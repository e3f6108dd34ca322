import type { Redis as UpstashRedis } from '@upstash/redis';
import type { Cluster, Redis } from 'ioredis';

/** The few commands the shared ledger sends, on either client. */
export interface LedgerRedis {
  eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown>;
  hincrby(key: string, field: string, by: number): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<unknown[]>;
  /** A hash and the head of a list in one round trip (their keys share a hash slot). */
  hashAndList(
    hash: string,
    list: string,
    count: number,
  ): Promise<[Record<string, unknown> | null, unknown[]]>;
}

/** The ledger's commands over Upstash's REST client. */
export function upstashLedgerRedis(redis: UpstashRedis): LedgerRedis {
  return {
    eval: (script, keys, args) => redis.eval(script, keys, args),
    hincrby: (key, field, by) => redis.hincrby(key, field, by),
    lrange: (key, start, stop) => redis.lrange(key, start, stop),
    hashAndList: (hash, list, count) =>
      redis
        .pipeline()
        .hgetall(hash)
        .lrange(list, 0, count - 1)
        .exec<[Record<string, unknown> | null, unknown[]]>(),
  };
}

/** The ledger's commands over ioredis, on one Redis or a Redis Cluster. */
export function ioredisLedgerRedis(redis: Redis | Cluster): LedgerRedis {
  return {
    eval: (script, keys, args) => redis.eval(script, keys.length, ...keys, ...args),
    hincrby: (key, field, by) => redis.hincrby(key, field, by),
    lrange: (key, start, stop) => redis.lrange(key, start, stop),
    async hashAndList(hash, list, count) {
      const replies = await redis
        .pipeline()
        .hgetall(hash)
        .lrange(list, 0, count - 1)
        .exec();
      const [[hashError, counters] = [], [listError, recent] = []] = replies ?? [];
      if (hashError || listError) throw hashError ?? listError;
      return [counters as Record<string, string>, recent as string[]];
    },
  };
}
