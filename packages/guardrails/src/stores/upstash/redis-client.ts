import type { Redis } from '@upstash/redis';

/** The few methods of `@upstash/redis`'s `Redis` the store calls. */
export type UpstashRedisClient = Pick<Redis, 'pipeline' | 'evalsha' | 'eval' | 'get' | 'set'>;

/** Runs a script by SHA, sending the source only when Redis does not know it yet. */
export async function evalScript<T>(
  redis: UpstashRedisClient,
  script: { script: string; sha1: string },
  keys: string[],
  args: (string | number)[],
): Promise<T> {
  try {
    return (await redis.evalsha(script.sha1, keys, args)) as T;
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return (await redis.eval(script.script, keys, args)) as T;
  }
}

export function isNoScript(error: unknown): boolean {
  return String(error instanceof Error ? error.message : error).includes('NOSCRIPT');
}
