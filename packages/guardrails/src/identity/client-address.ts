import { type WorkMeter, workMeter } from './budget.js';
import type { ClientAddressOptions } from './client-address-options.js';
import { compileOptions } from './compile-options.js';
import { formatIp } from './format-ip.js';
import { type ClientAddressSource, requestParts } from './request-parts.js';
import { resolveAddress } from './resolve-address.js';

const NO_OPTIONS: ClientAddressOptions = {};

/**
 * Who is calling, by network address: the canonical text of the client's IP (IPv4-mapped IPv6 as
 * IPv4, IPv6 in RFC 5952 form), or `undefined` when it cannot be known. Without options the
 * socket's peer is the client and forwarding headers are ignored, so a client cannot choose its
 * own rate-limit bucket by writing `X-Forwarded-For`. Behind proxies, set `trustProxy` (or
 * `platform`). Request data never makes it throw, and it reads a bounded amount of any header;
 * only invalid options throw (`GuardrailsConfigError`).
 *
 * @example
 * ```ts
 * // Node (standalone adapter) behind one reverse proxy:
 * createContext: ({ req }) => ({ ip: clientAddress(req, { trustProxy: 1 }) }),
 * // Vercel (fetch adapter, Next.js route handlers):
 * createContext: ({ req }) => ({ ip: clientAddress(req, { platform: 'vercel' }) }),
 * ```
 */
export function clientAddress(
  source: ClientAddressSource,
  options?: ClientAddressOptions,
): string | undefined {
  return resolveClientAddress(source, options, workMeter());
}

/**
 * `clientAddress` with its options checked now rather than on the first request: returns a
 * resolver to call per request. Define it once (module scope), so invalid options fail at start-up.
 *
 * @example
 * ```ts
 * const callerAddress = createClientAddress({ trustProxy: ['loopback', '10.0.0.0/8'] });
 * createContext: ({ req }) => ({ ip: callerAddress(req) }),
 * ```
 */
export function createClientAddress(
  options: ClientAddressOptions = {},
): (source: ClientAddressSource) => string | undefined {
  compileOptions(options);
  return function resolveCallerAddress(source) {
    return resolveClientAddress(source, options, workMeter());
  };
}

/** @internal `clientAddress` with a meter the tests read to prove the work stays bounded. */
export function resolveClientAddress(
  source: ClientAddressSource,
  options: ClientAddressOptions | undefined,
  meter: WorkMeter,
): string | undefined {
  const config = compileOptions(options ?? NO_OPTIONS);
  const ip = resolveAddress(config, requestParts(source, meter), meter);
  return ip && formatIp(ip);
}
