import { BUDGET, type WorkMeter } from './budget.js';
import type { ForwardingHeader } from './client-address-options.js';
import type { CompiledOptions } from './compile-options.js';
import { forwardedChain } from './forwarded-chain.js';
import { warnOnce } from './identity-warning.js';
import { type ParsedIp, parseIp } from './parse-ip.js';
import type { RequestParts } from './request-parts.js';
import { isTrusted } from './trust-proxy.js';

/**
 * @internal The trust rules, in order:
 * 1. `platform`: its header, unless `trustProxy` lists addresses and the socket's peer is not one.
 * 2. No remote address: unknown.
 * 3. Peer not trusted: the peer (forwarding headers ignored).
 * 4. Trusted peer without the forwarding header: the peer (the proxy itself).
 * 5. Otherwise walk the header from the right: the first untrusted hop; if every hop is trusted,
 *    the furthest; unknown if a hop is not an address or the budget ends first.
 */
export function resolveAddress(
  config: CompiledOptions,
  parts: RequestParts,
  meter: WorkMeter,
): ParsedIp | undefined {
  const { trust, platform, onWarning } = config;
  const remote = config.remoteAddress ?? parts.remoteAddress;
  const peer = typeof remote === 'string' && remote.length <= BUDGET.nodeChars ? parseIp(remote) : undefined;
  if (platform) {
    if (trust.kind === 'list' && peer && !isTrusted(trust, peer, 0)) {
      warnOnce(
        onWarning,
        'forwarded-header-untrusted',
        `a request reached the app from a peer that trustProxy does not list, so platform ${platform.label} ` +
          "was not read and the socket address is used. List the platform's edge addresses in trustProxy, " +
          'or keep the app reachable only through the platform.',
      );
      return peer;
    }
    const ip = platform.read(parts.header, meter);
    if (ip) return ip;
    warnOnce(
      onWarning,
      'platform-header-missing',
      `platform ${platform.label} is set but a request has no valid client address in that header, ` +
        'so the socket address and trustProxy rules were used. Remove platform if the app does not run ' +
        'there; if it does, make sure the app cannot be reached except through the platform.',
    );
  }
  if (remote === undefined || remote === null) {
    if (!platform) {
      warnOnce(
        onWarning,
        'no-remote-address',
        'clientAddress got a request without a remote address (a fetch Request or Headers) and no ' +
          'platform, so the caller is unknown. Pass remoteAddress (Deno: info.remoteAddr.hostname, ' +
          "Bun: server.requestIP(req)?.address) or set platform (e.g. 'vercel').",
      );
    }
    return undefined;
  }
  if (!peer) {
    warnOnce(
      onWarning,
      'unparseable-address',
      'the remote address of a request is not an IP address, so the caller is unknown; pass the ' +
        'socket address as remoteAddress (no brackets or port).',
    );
    return undefined;
  }
  const forwarding = parts.header(config.header);
  if (!isTrusted(trust, peer, 0)) {
    if (forwarding !== undefined || parts.header(other(config.header)) !== undefined) {
      warnOnce(
        onWarning,
        'forwarded-header-untrusted',
        trust.kind === 'none'
          ? 'a request carries X-Forwarded-For or Forwarded but no proxy is trusted, so the socket ' +
              'address is used. Behind a reverse proxy, set trustProxy to the number of proxies (e.g. 1) ' +
              "or their addresses (e.g. ['loopback']); otherwise a client wrote the header and ignoring it is right."
          : 'a request carries X-Forwarded-For or Forwarded from a peer that trustProxy does not list, so ' +
              'the socket address is used. If that peer is your proxy, add its address or CIDR to trustProxy.',
      );
    }
    return peer;
  }
  if (forwarding === undefined || forwarding.trim() === '') {
    const name = config.header === 'forwarded' ? 'Forwarded' : 'X-Forwarded-For';
    warnOnce(
      onWarning,
      'forwarded-header-missing',
      `a request came from a trusted proxy without a ${name} header, so the proxy's own address is used ` +
        'and all its clients share it. Make the proxy append the client (nginx: proxy_set_header ' +
        "X-Forwarded-For $proxy_add_x_forwarded_for), or set header to the one it sends ('x-forwarded-for' or 'forwarded').",
    );
    return peer;
  }
  return walkChain(config, peer, forwarding, meter);
}

/** From the socket leftwards: the first hop that is not a trusted proxy is the client. */
function walkChain(
  config: CompiledOptions,
  peer: ParsedIp,
  value: string,
  meter: WorkMeter,
): ParsedIp | undefined {
  const chain = forwardedChain(value, config.header, meter);
  let current = peer;
  for (let index = 0; index < chain.hops.length; index++) {
    const hop = chain.hops[index]!;
    if (hop.kind !== 'ip') {
      warnOnce(
        config.onWarning,
        'unparseable-address',
        'a trusted proxy forwarded a client address that is not an IP (unknown, obfuscated or malformed), ' +
          'so the caller is unknown. Check what the proxy writes, or whether trustProxy counts too many hops.',
      );
      return undefined;
    }
    current = hop.ip;
    if (!isTrusted(config.trust, current, index + 1)) return current;
  }
  if (!chain.complete) {
    warnOnce(
      config.onWarning,
      'forwarded-chain-too-long',
      'a forwarding header has more trusted hops than are examined, so the caller is unknown. Make sure ' +
        'trustProxy lists only your proxies, not address ranges your clients use.',
    );
    return undefined;
  }
  // Every hop is trusted: the furthest one, reported by a trusted proxy, is the caller (an internal service).
  return current;
}

function other(header: ForwardingHeader): ForwardingHeader {
  return header === 'forwarded' ? 'x-forwarded-for' : 'forwarded';
}
