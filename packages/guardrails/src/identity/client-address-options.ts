import type { IdentityWarningHandler } from './identity-warning.js';
import type { PlatformOption } from './platform.js';
import type { TrustProxy } from './trust-proxy.js';

/** The forwarding header a trusted proxy writes. */
export type ForwardingHeader = 'x-forwarded-for' | 'forwarded';

/** Options of `clientAddress` and `createClientAddress`. */
export interface ClientAddressOptions {
  /**
   * Which proxies may say who the client is. `false`/`0`: none — the socket's peer is the client.
   * A number: that many proxies stand in front of the app (the socket's peer is the first); the
   * client is the hop just past them, counted from the right of the forwarding header. A list of
   * IPs, CIDRs and presets (`'loopback'`, `'private'`, `'uniquelocal'`, `'linklocal'`): hops from
   * those addresses are skipped, from the socket leftwards, and the first other hop is the client.
   * Entries a client writes to the left are never reached. `true` is refused.
   * @default false
   */
  trustProxy?: TrustProxy;
  /**
   * The one forwarding header the trusted proxies write; the other is ignored (a client could
   * add it). `'forwarded'` reads RFC 7239 `for=` parameters.
   * @default 'x-forwarded-for'
   */
  header?: ForwardingHeader;
  /**
   * Read the platform's own client-address header first: `'vercel'` (`x-real-ip`), `'cloudflare'`
   * (`cf-connecting-ip`), `'fly'` (`fly-client-ip`), `'netlify'` (`x-nf-client-connection-ip`),
   * `'cloudfront'` (`cloudfront-viewer-address`), or `{ header: 'x-real-ip' }` for a header your own
   * proxy overwrites. Only when the app is reachable through that platform alone — or list the
   * platform's edge addresses in `trustProxy`: the header is then read only from a listed peer. When
   * the header is missing or not an address, the socket and `trustProxy` rules apply.
   * @default undefined
   */
  platform?: PlatformOption;
  /**
   * The peer's address when the source has no socket: a fetch `Request` in Deno
   * (`info.remoteAddr.hostname`), Bun (`server.requestIP(req)?.address`) or a Node fetch bridge.
   * @default the source's `remoteAddress`, else `socket.remoteAddress`
   */
  remoteAddress?: string | null;
  /**
   * Receives misconfiguration warnings, each cause at most once per process for a given function
   * (so pass one defined once, not a new arrow per request).
   * @default console.warn, once per cause
   */
  onWarning?: IdentityWarningHandler;
}
