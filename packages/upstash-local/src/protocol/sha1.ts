import { createHash } from 'node:crypto';

/** Hex SHA-1 of a UTF-8 string: the digest Redis uses to name scripts. */
export function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}
