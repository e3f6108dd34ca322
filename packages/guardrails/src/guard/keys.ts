/**
 * Store keys built from user-controlled strings. Each part is escaped so that it can never
 * contain a separator (`:`) or a hash-tag brace, which makes every key unambiguous: no
 * identifier of one scope, owner or prefix can spell another's key. Long parts are hashed so
 * keys stay bounded.
 */
import { sha256Hex } from './sha256.js';

const SAFE_PART = /^[A-Za-z0-9._~@+-]{1,128}$/;
const SAFE_CHAR = /[A-Za-z0-9._~@+-]/;
const MAX_PART_LENGTH = 128;
const utf8 = new TextEncoder();

/** Escapes one key part; parts over 128 characters become `#` + their SHA-256. */
export function encodeKeyPart(value: string): string {
  // Ids, UUIDs, IPv4 addresses and paths are already safe: no work, no new string.
  if (SAFE_PART.test(value)) return value;
  const escaped: string[] = [];
  let length = 0;
  for (const char of value) {
    if (SAFE_CHAR.test(char)) {
      escaped.push(char);
      length += 1;
    } else {
      for (const byte of utf8.encode(char)) {
        escaped.push(`%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
        length += 3;
      }
    }
    if (length > MAX_PART_LENGTH) return `#${sha256Hex(value)}`;
  }
  return escaped.join('');
}

/** Counters of one scope: `<prefix>:rl:<scope>`; the store appends the identifier. */
export function rateLimitPrefix(prefix: string, scope: string): string {
  return `${prefix}:rl:${scope}`;
}

/** The identifier as stores get it: encoded and hash-tagged, so all its keys share a slot. */
export function rateLimitIdentifier(identifier: string): string {
  return `{${encodeKeyPart(identifier)}}`;
}

/** One idempotency record: `<prefix>:idem:{<path>:<owner>:<key>}`. */
export function idempotencyRecordKey(
  prefix: string,
  parts: { path: string; owner: string; key: string },
): string {
  return `${prefix}:idem:{${encodeKeyPart(parts.path)}:${encodeKeyPart(parts.owner)}:${encodeKeyPart(parts.key)}}`;
}
