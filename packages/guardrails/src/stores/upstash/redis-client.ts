import type { Redis } from '@upstash/redis';

/** The few methods of `@upstash/redis`'s `Redis` the store calls. */
export type UpstashRedisClient = Pick<Redis, 'pipeline' | 'evalsha' | 'eval' | 'get' | 'set'>;

export function isNoScript(error: unknown): boolean {
  return String(error instanceof Error ? error.message : error).includes('NOSCRIPT');
}
