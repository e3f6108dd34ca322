export { type AddressKeyOptions, addressKey } from './address-key.js';
export { canonicalAddress } from './canonical-address.js';
export { clientAddress, createClientAddress } from './client-address.js';
export type { ClientAddressOptions, ForwardingHeader } from './client-address-options.js';
export type { IdentityWarning, IdentityWarningCause, IdentityWarningHandler } from './identity-warning.js';
export { type IpScopeOptions, ipScope, UNKNOWN_ADDRESS_KEY } from './ip-scope.js';
export type { Platform, PlatformOption } from './platform.js';
export type { ClientAddressSource, HeaderReader, HeaderRecord } from './request-parts.js';
export type { ProxyPreset, TrustProxy } from './trust-proxy.js';
