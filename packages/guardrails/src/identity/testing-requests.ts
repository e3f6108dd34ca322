/** Request and option builders shared by the identity tests. */
import type { ClientAddressOptions } from './client-address-options.js';
import type { IdentityWarning } from './identity-warning.js';

/** A Node-style request: lowercase header object and a socket. */
export function nodeRequest(
  remoteAddress: string | undefined,
  headers: Record<string, string | string[]> = {},
) {
  return { headers, socket: { remoteAddress } };
}

/** Options with a fresh warning collector, so each test sees its own once-per-cause warnings. */
export function withWarnings(options: ClientAddressOptions = {}) {
  const warnings: IdentityWarning[] = [];
  return {
    options: { ...options, onWarning: (warning: IdentityWarning) => warnings.push(warning) },
    warnings,
  };
}
