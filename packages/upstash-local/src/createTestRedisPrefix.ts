import { randomBytes } from 'node:crypto';

/**
 * A random key prefix, so tests sharing one Redis never see each other's keys.
 *
 * @param label readable start of the prefix; @default 'test'
 * @example
 * const prefix = createTestRedisPrefix('ratelimit'); // 'ratelimit:3f9a1c0e2b7d:'
 * await redis.set(`${prefix}user:1`, 'x');
 */
export function createTestRedisPrefix(label = 'test'): string {
  return `${label}:${randomBytes(6).toString('hex')}:`;
}
