import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import { maskParts, parseCidr } from '../identity/cidr.js';
import { formatIp } from '../identity/format-ip.js';
import type { ParsedIp } from '../identity/parse-ip.js';

/**
 * Identifiers a scope lets through or refuses without asking the store: exact identifiers (user
 * ids, API keys) and IP addresses or CIDR blocks. Matching is local and costs a few set lookups
 * (one per distinct prefix length), however long the list. Change it at runtime — from a file
 * watcher, an admin endpoint, a database poll — and the next call sees the change.
 *
 * @example
 * ```ts
 * const blocked = accessList(['203.0.113.0/24', 'user_4711']);
 * scopes: { ip: ipScope({ limiter, address: ({ ctx }) => ctx.ip, deny: blocked }) }
 * // later, from an admin action:
 * blocked.add('2001:db8:bad::/48');
 * ```
 */
export interface AccessList {
  /** Whether `identifier` is listed: exactly, or as an address inside a listed block. */
  has(identifier: string): boolean;
  /** Adds entries. An entry that looks like an address block but is not one throws. */
  add(...entries: string[]): this;
  /** Removes entries, spelled as they were added (blocks are compared in canonical form). */
  delete(...entries: string[]): this;
  /** Replaces every entry at once: a reload never leaves the list half-updated. */
  replace(entries: Iterable<string>): this;
  /** How many entries the list holds. */
  readonly size: number;
}

/** Per IP version, for each prefix length present, the blocks of that length (canonical text). */
type Blocks = Record<4 | 6, Map<number, Set<string>>>;

interface Entries {
  exact: Set<string>;
  blocks: Blocks;
}

interface Block {
  ip: ParsedIp;
  bits: number;
  /** Canonical text, e.g. `192.0.2.0/24`, `2001:db8::/32`. */
  key: string;
}

/** Creates an {@link AccessList}; see there. */
export function accessList(entries: Iterable<string> = []): AccessList {
  let current = build(entries, 'accessList()');
  const list: AccessList = {
    has: (identifier) => matches(current, identifier),
    add(...added) {
      const next = build(added, 'accessList.add()');
      for (const value of next.exact) current.exact.add(value);
      eachBlock(next.blocks, (version, bits, key) => addBlock(current.blocks, version, bits, key));
      return list;
    },
    delete(...removed) {
      const next = build(removed, 'accessList.delete()');
      for (const value of next.exact) current.exact.delete(value);
      eachBlock(next.blocks, (version, bits, key) => {
        const existing = current.blocks[version].get(bits);
        existing?.delete(key);
        if (existing?.size === 0) current.blocks[version].delete(bits);
      });
      return list;
    },
    replace(replacement) {
      current = build(replacement, 'accessList.replace()');
      return list;
    },
    get size() {
      let size = current.exact.size;
      eachBlock(current.blocks, () => size++);
      return size;
    },
  };
  return list;
}

/** @internal An `allow` / `deny` option: a list, an array of entries, or nothing. */
export function toAccessList(value: unknown, where: string): AccessList | undefined {
  if (value === undefined) return undefined;
  if (isAccessList(value)) return value;
  if (Array.isArray(value)) return accessList(value);
  throw new GuardrailsConfigError(
    `${where} must be an array of identifiers and address blocks, or accessList([...]); got ${describe(value)}`,
  );
}

function isAccessList(value: unknown): value is AccessList {
  return typeof value === 'object' && value !== null && typeof (value as AccessList).has === 'function';
}

function build(entries: Iterable<string>, where: string): Entries {
  const built: Entries = { exact: new Set(), blocks: { 4: new Map(), 6: new Map() } };
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry.length === 0) {
      throw new GuardrailsConfigError(`${where}: entries must be non-empty strings, got ${describe(entry)}`);
    }
    const block = parseBlock(entry);
    if (block) addBlock(built.blocks, block.ip.version, block.bits, block.key);
    else if (looksLikeBlock(entry)) {
      throw new GuardrailsConfigError(`${where}: ${JSON.stringify(entry)} is not a valid address block`);
    } else built.exact.add(entry);
  }
  return built;
}

function addBlock(blocks: Blocks, version: 4 | 6, bits: number, key: string): void {
  const sameLength = blocks[version].get(bits) ?? new Set();
  sameLength.add(key);
  blocks[version].set(bits, sameLength);
}

function eachBlock(blocks: Blocks, visit: (version: 4 | 6, bits: number, key: string) => void): void {
  for (const version of [4, 6] as const) {
    for (const [bits, keys] of blocks[version]) for (const key of keys) visit(version, bits, key);
  }
}

/**
 * An identifier is listed when it is listed exactly, or when it is an address (or, as `ipScope`
 * keys IPv6 callers, a network like `2001:db8:0:100::/56`) inside a listed block.
 */
function matches(entries: Entries, identifier: string): boolean {
  if (entries.exact.has(identifier)) return true;
  const blocks = entries.blocks;
  if (blocks[4].size === 0 && blocks[6].size === 0) return false;
  const caller = parseBlock(identifier);
  if (!caller) return false;
  for (const [bits, keys] of blocks[caller.ip.version]) {
    // A listed block narrower than the caller's network does not cover all of it.
    if (bits <= caller.bits && keys.has(blockKey(caller.ip, bits))) return true;
  }
  return false;
}

function parseBlock(text: string): Block | undefined {
  if (text.length > 100) return undefined;
  const cidr = parseCidr(text);
  if (!cidr) return undefined;
  const ip: ParsedIp = { version: cidr.version, parts: cidr.parts };
  return { ip, bits: cidr.bits, key: blockKey(ip, cidr.bits) };
}

function blockKey(ip: ParsedIp, bits: number): string {
  return `${formatIp({ version: ip.version, parts: maskParts(ip, bits) })}/${bits}`;
}

/** Hex digits, dots and colons with a prefix length: meant as a block, so a typo must not become an id. */
function looksLikeBlock(text: string): boolean {
  return /^[0-9A-Fa-f.:]+\/\d+$/.test(text);
}
