import { type ParsedIp, parseIp } from './parse-ip.js';

/** An address block: the network's parts and how many leading bits are fixed. */
export interface Cidr {
  version: 4 | 6;
  parts: readonly number[];
  bits: number;
}

const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * Parses `192.0.2.0/24`, `2001:db8::/32` or a single address (a block of one). Host bits past the
 * prefix are ignored. An IPv4-mapped block (`::ffff:10.0.0.0/104`) becomes the IPv4 block, since
 * mapped addresses are compared as IPv4. Returns `undefined` for anything else.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  if (slash < 0) return { ...ip, bits: max };
  const length = text.slice(slash + 1);
  if (!PREFIX_LENGTH.test(length)) return undefined;
  let bits = Number(length);
  const mapped = ip.version === 4 && text.slice(0, slash).includes(':');
  if (mapped) bits -= 96;
  if (bits < 0 || bits > max) return undefined;
  return { version: ip.version, parts: maskParts(ip, bits), bits };
}

/** Whether `ip` lies in `cidr`. IPv4 never matches an IPv6 block, nor the reverse. */
export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.version !== ip.version) return false;
  const masked = maskParts(ip, cidr.bits);
  return masked.every((part, index) => part === cidr.parts[index]);
}

/** The parts of `ip` with every bit after the first `bits` set to zero. */
export function maskParts(ip: ParsedIp, bits: number): number[] {
  const size = ip.version === 4 ? 8 : 16;
  return ip.parts.map((part, index) => {
    const keep = Math.min(size, Math.max(0, bits - index * size));
    if (keep === size) return part;
    if (keep === 0) return 0;
    return part & (((1 << keep) - 1) << (size - keep));
  });
}
