import { formatIp } from './format-ip.js';
import { parseIp } from './parse-ip.js';

/**
 * The one canonical text of an IP address, or `undefined` when `address` is not a bare IPv4 or
 * IPv6 address. IPv4-mapped IPv6 becomes IPv4, IPv6 takes its RFC 5952 form and zone ids are
 * dropped, so every spelling of one address gives the same string — safe to use as a key.
 *
 * @example
 * ```ts
 * canonicalAddress('2001:DB8:0:0::1'); // '2001:db8::1'
 * canonicalAddress('::ffff:192.0.2.1'); // '192.0.2.1'
 * canonicalAddress('fe80::1%eth0'); // 'fe80::1'
 * canonicalAddress('01.2.3.4'); // undefined (leading zeros read as octal by some parsers)
 * ```
 */
export function canonicalAddress(address: string): string | undefined {
  if (typeof address !== 'string') return undefined;
  const ip = parseIp(address);
  return ip && formatIp(ip);
}
