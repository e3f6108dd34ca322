import { GuardrailsConfigError } from '../errors.js';
import { BUDGET } from './budget.js';
import { type Cidr, cidrContains, parseCidr } from './cidr.js';
import type { ParsedIp } from './parse-ip.js';

/**
 * Named address blocks for `trustProxy`, as in Express's `trust proxy`:
 * - `loopback`: `127.0.0.0/8`, `::1/128`
 * - `linklocal`: `169.254.0.0/16`, `fe80::/10`
 * - `uniquelocal` (alias `private`): `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` (RFC 1918)
 *   and `fc00::/7` (unique local IPv6, RFC 4193)
 */
export type ProxyPreset = 'loopback' | 'linklocal' | 'uniquelocal' | 'private';

/**
 * Which proxies in front of the app may say who the client is: `false`/`0` (none), the number of
 * proxies, or their addresses — IPs, CIDRs and presets. `true` (trust every hop) is refused: it
 * lets any client choose its own address.
 */
export type TrustProxy =
  | false
  | number
  | ProxyPreset
  | (string & {})
  | readonly (ProxyPreset | (string & {}))[];

/** @internal `trustProxy`, validated and parsed once. */
export type CompiledTrust =
  | { kind: 'none' }
  | { kind: 'hops'; count: number }
  | { kind: 'list'; blocks: readonly Cidr[] };

const PRESETS: Record<ProxyPreset, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** @internal Validates `trustProxy`; throws `GuardrailsConfigError` with what to write instead. */
export function compileTrust(trustProxy: TrustProxy | true | undefined): CompiledTrust {
  if (trustProxy === undefined || trustProxy === false || trustProxy === 0) return { kind: 'none' };
  if (trustProxy === true) {
    throw new GuardrailsConfigError(
      'trustProxy: true would trust every hop, so any client could pick its own address by sending ' +
        'X-Forwarded-For; give the number of proxies in front of the app (e.g. trustProxy: 1) or their ' +
        "addresses (e.g. trustProxy: ['loopback', '10.0.0.0/8'])",
    );
  }
  if (typeof trustProxy === 'number') {
    if (!Number.isInteger(trustProxy) || trustProxy < 0 || trustProxy > BUDGET.hops) {
      throw new GuardrailsConfigError(
        `trustProxy: ${trustProxy} is not a proxy count; use a whole number from 0 to ${BUDGET.hops} ` +
          '(how many proxies stand between the client and the app), or a list of their addresses',
      );
    }
    return { kind: 'hops', count: trustProxy };
  }
  const entries = typeof trustProxy === 'string' ? [trustProxy] : trustProxy;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new GuardrailsConfigError(
      "trustProxy must be a proxy count (e.g. 1) or a non-empty list of IPs, CIDRs and presets (e.g. ['loopback'])",
    );
  }
  const blocks: Cidr[] = [];
  for (const entry of entries as readonly unknown[]) {
    const preset =
      typeof entry === 'string' && Object.hasOwn(PRESETS, entry) ? PRESETS[entry as ProxyPreset] : undefined;
    const texts = preset ?? [entry];
    for (const text of texts) {
      const block = typeof text === 'string' ? parseCidr(text.trim()) : undefined;
      if (!block) {
        throw new GuardrailsConfigError(
          `trustProxy entry ${JSON.stringify(entry)} is not an IP, a CIDR or a preset; use e.g. '10.0.0.1', ` +
            `'10.0.0.0/8', '2001:db8::/32' or one of ${Object.keys(PRESETS).join(', ')}`,
        );
      }
      blocks.push(block);
    }
  }
  return { kind: 'list', blocks };
}

/**
 * @internal Whether the hop at `position` may be believed about its peer. Position 0 is the
 * socket's peer, 1 the rightmost forwarding entry, and so on.
 */
export function isTrusted(trust: CompiledTrust, ip: ParsedIp, position: number): boolean {
  if (trust.kind === 'none') return false;
  if (trust.kind === 'hops') return position < trust.count;
  return trust.blocks.some((block) => cidrContains(block, ip));
}
