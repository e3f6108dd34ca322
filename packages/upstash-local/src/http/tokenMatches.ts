import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Checks an `Authorization: Bearer <token>` header in constant time. Both sides are hashed
 * first so timingSafeEqual gets equal lengths and the token length does not leak either.
 *
 * @example
 * tokenMatches('secret', req.headers.authorization); // true for "Bearer secret"
 */
export function tokenMatches(expected: string, header: string | undefined): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(expected), digest(match?.[1]?.trim() ?? '')) && match !== null;
}
