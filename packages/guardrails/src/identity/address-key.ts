import { GuardrailsConfigError } from '../errors.js';
import { maskParts } from './cidr.js';
import { formatIp } from './format-ip.js';
import { parseIp } from './parse-ip.js';

/** How addresses are grouped into rate-limit buckets. */
export interface AddressKeyOptions {
  /**
   * IPv6 addresses are keyed by their network of this prefix length: one home or office (an ISP
   * delegates a /56 or /48 — RIPE-690 — and any device inside can use 2^72 addresses of it). `false`
   * keys the exact address.
   * @default 56
   */
  ipv6Prefix?: number | false;
  /**
   * IPv4 addresses are keyed by their network of this prefix length. `false` or `32`: the address.
   * @default 32
   */
  ipv4Prefix?: number | false;
}

/**
 * The rate-limit key of an address: IPv4 as its canonical address (or `a.b.c.d/len` with a
 * prefix), IPv6 as its network in canonical text, e.g. `2001:db8:0:100::/56`. Every spelling of one
 * address (and every address of one /56) gives the same key. `undefined` when `address` is not an
 * IP address. Invalid options throw `GuardrailsConfigError`.
 *
 * @example
 * ```ts
 * addressKey('2001:DB8:0:1ff:a:b:c:d'); // '2001:db8:0:100::/56'
 * addressKey('::ffff:192.0.2.1'); // '192.0.2.1'
 * addressKey('192.0.2.77', { ipv4Prefix: 24 }); // '192.0.2.0/24'
 * addressKey('2001:db8::1', { ipv6Prefix: false }); // '2001:db8::1'
 * ```
 */
export function addressKey(address: string, options?: AddressKeyOptions): string | undefined {
  const { ipv4Prefix, ipv6Prefix } = checkAddressKeyOptions(options);
  if (typeof address !== 'string' || address.length > 100) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const bits = ip.version === 4 ? ipv4Prefix : ipv6Prefix;
  const max = ip.version === 4 ? 32 : 128;
  if (bits === max) return formatIp(ip);
  return `${formatIp({ version: ip.version, parts: maskParts(ip, bits) })}/${bits}`;
}

/** @internal Validates the prefixes; `false` becomes the full length. */
export function checkAddressKeyOptions(options: AddressKeyOptions = {}): {
  ipv4Prefix: number;
  ipv6Prefix: number;
} {
  const { ipv4Prefix = 32, ipv6Prefix = 56 } = options;
  return {
    ipv4Prefix: checkPrefix('ipv4Prefix', ipv4Prefix, 32),
    ipv6Prefix: checkPrefix('ipv6Prefix', ipv6Prefix, 128),
  };
}

function checkPrefix(name: string, value: number | false, max: number): number {
  if (value === false) return max;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new GuardrailsConfigError(
      `${name}: ${JSON.stringify(value)} is not a prefix length; use a whole number from 0 to ${max}, ` +
        `or false to key the exact address`,
    );
  }
  return value;
}
