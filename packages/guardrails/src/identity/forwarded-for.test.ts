import { describe, expect, it } from 'vitest';
import { workMeter } from './budget.js';
import { formatIp } from './format-ip.js';
import { forwardedChain } from './forwarded-chain.js';
import { forwardedFor } from './forwarded-for.js';

/** The hops of a Forwarded value, leftmost first, as text. */
function hops(value: string): string[] {
  return forwardedChain(value, 'forwarded', workMeter())
    .hops.map((hop) => (hop.kind === 'ip' ? formatIp(hop.ip) : hop.kind))
    .reverse();
}

describe('Forwarded (RFC 7239)', () => {
  // The examples of RFC 7239 §4 and §7.
  it.each([
    ['for="_gazonk"', ['hidden']],
    ['For="[2001:db8:cafe::17]:4711"', ['2001:db8:cafe::17']],
    ['for=192.0.2.60;proto=http;by=203.0.113.43', ['192.0.2.60']],
    ['for=192.0.2.43, for=198.51.100.17', ['192.0.2.43', '198.51.100.17']],
    ['for=192.0.2.43', ['192.0.2.43']],
    ['for="[2001:db8:cafe::17]"', ['2001:db8:cafe::17']],
    ['for=unknown', ['hidden']],
    ['for=192.0.2.43, for="[2001:db8:cafe::17]", for=unknown', ['192.0.2.43', '2001:db8:cafe::17', 'hidden']],
    ['for="_mdn"', ['hidden']],
    ['for="192.0.2.43:47011"', ['192.0.2.43']],
    ['for="_hidden:_SEVKISEK"', ['hidden']],
    ['by=203.0.113.43;for=192.0.2.60', ['192.0.2.60']],
    ['  for = 192.0.2.60 ;proto=https  ', ['192.0.2.60']],
  ])('%s', (value, expected) => {
    expect(hops(value)).toEqual(expected);
  });

  it('keeps commas and semicolons inside quoted strings', () => {
    expect(forwardedFor('for="a,b;c";proto=http')).toBe('a,b;c');
    expect(hops('for="x,y", for=192.0.2.1')).toEqual(['invalid', '192.0.2.1']);
    expect(forwardedFor('for="a\\"b"')).toBe('a"b');
  });

  it('treats a malformed element as an unknown hop, never a neighbour', () => {
    expect(forwardedFor('proto=http')).toBeUndefined(); // no for
    expect(forwardedFor('for=1.2.3.4;for=5.6.7.8')).toBeUndefined(); // twice
    expect(forwardedFor('for="1.2.3.4')).toBeUndefined(); // unclosed quote
    expect(forwardedFor('for')).toBeUndefined();
    expect(forwardedFor('for=')).toBeUndefined();
    expect(forwardedFor('f o r=1.2.3.4')).toBeUndefined();
    expect(forwardedFor('for=1.2.3.4 junk')).toBeUndefined();
  });

  it('is not confused by an unclosed quote a client writes to the left of a proxy entry', () => {
    // Parsed from the left, the proxy's element would vanish inside the client's quoted string.
    expect(hops('for="evil, for=192.0.2.9')).toEqual(['invalid', '192.0.2.9']);
  });
});
