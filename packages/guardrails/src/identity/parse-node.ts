import { BUDGET } from './budget.js';
import { type ParsedIp, parseIp } from './parse-ip.js';

/**
 * What one hop of a forwarding header says: an address, a hop the proxy chose to hide
 * (`unknown` or an obfuscated `_identifier`, RFC 7239 §6.2–6.3), or text that is neither.
 */
export type ParsedNode = { kind: 'ip'; ip: ParsedIp } | { kind: 'hidden' } | { kind: 'invalid' };

const PORT = /^(?:[0-9]{1,5}|_[A-Za-z0-9._-]+)$/;
const OBFUSCATED = /^_[A-Za-z0-9._-]+$/;
const INVALID: ParsedNode = { kind: 'invalid' };
const HIDDEN: ParsedNode = { kind: 'hidden' };

/**
 * Parses one node as RFC 7239 §6 writes it, and as `X-Forwarded-For` entries appear in practice:
 * `192.0.2.43`, `192.0.2.43:47011`, `[2001:db8:cafe::17]`, `[2001:db8:cafe::17]:4711`,
 * `2001:db8::17` (bare IPv6 — read as an address: a port after a bare IPv6 cannot be told apart
 * from its last group), `unknown`, `_hidden`. The caller trims it. Never throws.
 */
export function parseNode(text: string): ParsedNode {
  if (text.length === 0 || text.length > BUDGET.nodeChars) return INVALID;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return INVALID;
    const rest = text.slice(close + 1);
    if (rest !== '' && !(rest.startsWith(':') && PORT.test(rest.slice(1)))) return INVALID;
    const inner = text.slice(1, close);
    // Brackets only ever hold IPv6 (a mapped one may come out as IPv4).
    const ip = inner.includes(':') ? parseIp(inner) : undefined;
    return ip ? { kind: 'ip', ip } : INVALID;
  }
  const bare = nodeName(text);
  if (bare.kind !== 'invalid') return bare;
  const colon = text.indexOf(':');
  if (colon < 0 || text.indexOf(':', colon + 1) >= 0) return INVALID;
  if (!PORT.test(text.slice(colon + 1))) return INVALID;
  const host = text.slice(0, colon);
  // `host:port` with one colon: the host is IPv4 or a hidden name, never IPv6.
  return host.includes(':') ? INVALID : nodeName(host);
}

function nodeName(text: string): ParsedNode {
  if (text.toLowerCase() === 'unknown' || OBFUSCATED.test(text)) return HIDDEN;
  const ip = parseIp(text);
  return ip ? { kind: 'ip', ip } : INVALID;
}
