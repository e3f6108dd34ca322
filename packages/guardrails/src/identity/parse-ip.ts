import { BUDGET } from './budget.js';

/**
 * One parsed address. IPv4 has 4 parts of 8 bits, IPv6 8 parts of 16 bits. IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`) is returned as IPv4, so both spellings are the same caller.
 */
export interface ParsedIp {
  version: 4 | 6;
  parts: readonly number[];
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const ZONE_ID = /^[A-Za-z0-9._~-]+$/;
/** `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` and a zone id. */
const MAX_ADDRESS_CHARS = 45 + 1 + BUDGET.zoneChars;

/**
 * Parses a bare IPv4 or IPv6 address (no brackets, no port). Strict where leniency would let two
 * spellings mean different things: IPv4 needs four decimal parts without leading zeros (`01.2.3.4`
 * looks octal to some parsers, so it is refused, as RFC 6943 §3.1.1 advises); IPv6 allows one `::`,
 * groups of 1–4 hex digits and an IPv4 tail. A zone id (`fe80::1%eth0`) is dropped. Never throws.
 */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.length === 0 || text.length > MAX_ADDRESS_CHARS) return undefined;
  if (!text.includes(':')) {
    const parts = parseIpv4(text);
    return parts && { version: 4, parts };
  }
  const words = parseIpv6(text);
  if (!words) return undefined;
  if (isMapped(words)) {
    const high = words[6]!;
    const low = words[7]!;
    return { version: 4, parts: [high >> 8, high & 0xff, low >> 8, low & 0xff] };
  }
  return { version: 6, parts: words };
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets;
}

function parseIpv6(input: string): number[] | undefined {
  let text = input;
  const percent = text.indexOf('%');
  if (percent >= 0) {
    const zone = text.slice(percent + 1);
    if (zone.length === 0 || zone.length > BUDGET.zoneChars || !ZONE_ID.test(zone)) return undefined;
    text = text.slice(0, percent);
  }
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    const ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (!ipv4) return undefined;
    tail = [(ipv4[0]! << 8) | ipv4[1]!, (ipv4[2]! << 8) | ipv4[3]!];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const gap = text.indexOf('::');
  if (gap >= 0 && text.indexOf('::', gap + 1) >= 0) return undefined;
  if (gap < 0) {
    const groups = parseGroups(text);
    if (!groups || groups.length + tail.length !== 8) return undefined;
    return [...groups, ...tail];
  }
  const head = parseGroups(text.slice(0, gap));
  const rest = parseGroups(text.slice(gap + 2));
  if (!head || !rest) return undefined;
  const zeros = 8 - head.length - rest.length - tail.length;
  // `::` stands for one or more zero groups (RFC 4291 §2.2).
  if (zeros < 1) return undefined;
  return [...head, ...new Array<number>(zeros).fill(0), ...rest, ...tail];
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  if (groups.length > 8) return undefined;
  const words: number[] = [];
  for (const group of groups) {
    if (!HEX_GROUP.test(group)) return undefined;
    words.push(Number.parseInt(group, 16));
  }
  return words;
}

/** `::ffff:0:0/96`, the IPv4-mapped block of RFC 4291 §2.5.5.2. */
function isMapped(words: readonly number[]): boolean {
  for (let index = 0; index < 5; index++) if (words[index] !== 0) return false;
  return words[5] === 0xffff;
}
