/**
 * Store keys built from user-controlled strings. Each part is escaped so that it can never
 * contain a separator (`:`) or a hash-tag brace, which makes every key unambiguous: no
 * identifier of one scope, owner or prefix can spell another's key. Long parts are hashed so
 * keys stay bounded.
 */

const SAFE_CHAR = /[A-Za-z0-9._~@+-]/;
const MAX_PART_LENGTH = 128;
const utf8 = new TextEncoder();

/** Escapes one key part; parts over 128 characters become `#` + their SHA-256. */
export async function encodeKeyPart(value: string): Promise<string> {
  let escaped = '';
  for (const char of value) {
    if (SAFE_CHAR.test(char)) {
      escaped += char;
    } else {
      for (const byte of utf8.encode(char)) {
        escaped += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
    if (escaped.length > MAX_PART_LENGTH) return `#${await sha256Hex(value)}`;
  }
  return escaped;
}

/** Hex SHA-256 with Web Crypto, so the library also runs at the edge. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', utf8.encode(text));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Counters of one scope: `<prefix>:rl:<scope>`; the store appends the identifier. */
export function rateLimitPrefix(prefix: string, scope: string): string {
  return `${prefix}:rl:${scope}`;
}

/** The identifier as stores get it: encoded and hash-tagged, so all its keys share a slot. */
export async function rateLimitIdentifier(identifier: string): Promise<string> {
  return `{${await encodeKeyPart(identifier)}}`;
}

/** One idempotency record: `<prefix>:idem:{<path>:<owner>:<key>}`. */
export async function idempotencyRecordKey(
  prefix: string,
  parts: { path: string; owner: string; key: string },
): Promise<string> {
  const [path, owner, key] = await Promise.all([
    encodeKeyPart(parts.path),
    encodeKeyPart(parts.owner),
    encodeKeyPart(parts.key),
  ]);
  return `${prefix}:idem:{${path}:${owner}:${key}}`;
}
