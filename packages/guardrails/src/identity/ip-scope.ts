import type { ProcedureType } from '@trpc/server';
import { GuardrailsConfigError } from '../errors.js';
import type { ScopeConfig } from '../rate-limit/options.js';
import { type AddressKeyOptions, addressKey, checkAddressKeyOptions } from './address-key.js';
import { type IdentityWarningHandler, warnOnce } from './identity-warning.js';

/** The identifier of the one bucket that calls without a usable address share. */
export const UNKNOWN_ADDRESS_KEY = 'unknown';

/** Options of `ipScope`: a scope's options, with `address` in place of `identify`. */
export interface IpScopeOptions<TContext> extends Omit<ScopeConfig<TContext>, 'identify'>, AddressKeyOptions {
  /**
   * The caller's address, usually put in the context by `createContext` with `clientAddress`.
   * Never a header the client sets.
   */
  address: (opts: { ctx: TContext; path: string; type: ProcedureType }) => string | null | undefined;
  /**
   * Calls whose address is missing or not an IP: `'shared'` counts them all in one bucket
   * (`'unknown'`), so garbage cannot escape the limit; `'skip'` leaves them unlimited by this scope.
   * @default 'shared'
   */
  unknown?: 'shared' | 'skip';
  /**
   * Receives the `unparseable-address` warning once per process.
   * @default console.warn, once
   */
  onWarning?: IdentityWarningHandler;
}

/**
 * A per-IP rate-limit scope: the identifier is `addressKey(address)`, so IPv6 callers are limited
 * per /56 network (one customer), IPv4 per address, and every spelling of an address counts alike.
 *
 * @example
 * ```ts
 * const guard = createGuardrails<Context>()({
 *   store,
 *   scopes: {
 *     ip: ipScope({ limiter: slidingWindow(20, '10 s'), address: ({ ctx }) => ctx.ip }),
 *     user: { limiter: fixedWindow(5, '60 s'), identify: ({ ctx }) => ctx.session?.userId },
 *   },
 * });
 * ```
 */
export function ipScope<TContext>(options: IpScopeOptions<TContext>): ScopeConfig<TContext> {
  if (typeof options !== 'object' || options === null || typeof options.address !== 'function') {
    throw new GuardrailsConfigError('ipScope needs { limiter, address }, e.g. address: ({ ctx }) => ctx.ip');
  }
  const { address, unknown = 'shared', onWarning, ipv4Prefix, ipv6Prefix, ...scope } = options;
  if (unknown !== 'shared' && unknown !== 'skip') {
    throw new GuardrailsConfigError(`ipScope unknown: ${JSON.stringify(unknown)} must be 'shared' or 'skip'`);
  }
  const prefixes = checkAddressKeyOptions({ ipv4Prefix, ipv6Prefix });
  return {
    ...scope,
    identify: function identifyAddress(opts) {
      const value = address(opts);
      const key = typeof value === 'string' ? addressKey(value, prefixes) : undefined;
      if (key !== undefined) return key;
      warnOnce(
        onWarning,
        'unparseable-address',
        `ipScope got ${value === undefined || value === null ? 'no address' : 'an address that is not an IP'} ` +
          `for a call to ${opts.path}, so it ${unknown === 'shared' ? `counts in the shared "${UNKNOWN_ADDRESS_KEY}" bucket` : 'is not limited by this scope'}. ` +
          'Set the address in createContext with clientAddress(req, options).',
      );
      return unknown === 'shared' ? UNKNOWN_ADDRESS_KEY : undefined;
    },
  };
}
