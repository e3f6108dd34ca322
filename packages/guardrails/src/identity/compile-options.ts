import { GuardrailsConfigError } from '../errors.js';
import type { ClientAddressOptions, ForwardingHeader } from './client-address-options.js';
import type { IdentityWarningHandler } from './identity-warning.js';
import { type CompiledPlatform, compilePlatform } from './platform.js';
import { type CompiledTrust, compileTrust } from './trust-proxy.js';

/** @internal `ClientAddressOptions`, validated and parsed. */
export interface CompiledOptions {
  trust: CompiledTrust;
  header: ForwardingHeader;
  platform: CompiledPlatform | undefined;
  remoteAddress: string | null | undefined;
  onWarning: IdentityWarningHandler | undefined;
}

const compiled = new WeakMap<ClientAddressOptions, CompiledOptions>();

/**
 * @internal Validates options once per options object (a module-level constant compiles once);
 * throws `GuardrailsConfigError` saying what to write instead.
 */
export function compileOptions(options: ClientAddressOptions): CompiledOptions {
  if (typeof options !== 'object' || options === null) {
    throw new GuardrailsConfigError('clientAddress options must be an object, e.g. { trustProxy: 1 }');
  }
  const known = compiled.get(options);
  if (known) return known;
  const { header = 'x-forwarded-for' } = options;
  if (header !== 'x-forwarded-for' && header !== 'forwarded') {
    throw new GuardrailsConfigError(
      `header ${JSON.stringify(header)} is not a forwarding header; use 'x-forwarded-for' or 'forwarded' ` +
        "(for a single-address header such as X-Real-IP use platform: { header: 'x-real-ip' })",
    );
  }
  const result: CompiledOptions = {
    trust: compileTrust(options.trustProxy),
    header,
    platform: compilePlatform(options.platform),
    remoteAddress: options.remoteAddress,
    onWarning: options.onWarning,
  };
  compiled.set(options, result);
  return result;
}
