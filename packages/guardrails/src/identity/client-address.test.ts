import { describe, expect, it } from 'vitest';
import { GuardrailsConfigError } from '../errors.js';
import { clientAddress, createClientAddress } from './client-address.js';
import { nodeRequest, withWarnings } from './testing-requests.js';

describe('clientAddress: no trusted proxy (default)', () => {
  it('is the socket address, canonical', () => {
    expect(clientAddress(nodeRequest('::ffff:203.0.113.9'), withWarnings().options)).toBe('203.0.113.9');
    expect(clientAddress(nodeRequest('2001:DB8::0:1'), withWarnings().options)).toBe('2001:db8::1');
  });

  it('ignores every forged forwarding header, and warns once', () => {
    const { options, warnings } = withWarnings();
    const forged: Record<string, string>[] = [
      { 'x-forwarded-for': '198.51.100.1' },
      { 'x-forwarded-for': '198.51.100.1, 198.51.100.2' },
      { forwarded: 'for=198.51.100.1' },
      { 'x-real-ip': '198.51.100.1' },
      { 'cf-connecting-ip': '198.51.100.1', 'fly-client-ip': '198.51.100.1' },
    ];
    for (const headers of forged)
      expect(clientAddress(nodeRequest('203.0.113.9', headers), options)).toBe('203.0.113.9');
    expect(warnings.map((warning) => warning.cause)).toEqual(['forwarded-header-untrusted']);
    expect(warnings[0]!.message).toMatch(/set trustProxy/);
  });
});

describe('clientAddress: trustProxy as a hop count', () => {
  const request = nodeRequest('10.0.0.2', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.1' });

  it('takes the hop just past the trusted ones, from the right', () => {
    expect(clientAddress(request, { trustProxy: 1 })).toBe('10.0.0.1');
    expect(clientAddress(request, { trustProxy: 2 })).toBe('198.51.100.7');
    expect(clientAddress(request, { trustProxy: 3 })).toBe('6.6.6.6');
  });

  it('never reaches what the client wrote to the left', () => {
    // A client sends a forged X-Forwarded-For; the one proxy appends the real peer.
    const forged = nodeRequest('10.0.0.1', { 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 203.0.113.5' });
    expect(clientAddress(forged, { trustProxy: 1 })).toBe('203.0.113.5');
  });

  it('returns the furthest hop when every hop is trusted', () => {
    expect(clientAddress(request, { trustProxy: 5 })).toBe('6.6.6.6');
  });

  it('falls back to the proxy itself when it sends no header, and warns', () => {
    const { options, warnings } = withWarnings({ trustProxy: 1 });
    expect(clientAddress(nodeRequest('10.0.0.2'), options)).toBe('10.0.0.2');
    expect(clientAddress(nodeRequest('10.0.0.2', { 'x-forwarded-for': ' ' }), options)).toBe('10.0.0.2');
    expect(warnings.map((warning) => warning.cause)).toEqual(['forwarded-header-missing']);
  });

  it('reads ports and brackets in entries', () => {
    const ported = nodeRequest('10.0.0.2', { 'x-forwarded-for': '[2001:db8::5]:443, 192.0.2.1:5555' });
    expect(clientAddress(ported, { trustProxy: 1 })).toBe('192.0.2.1');
    expect(clientAddress(ported, { trustProxy: 2 })).toBe('2001:db8::5');
  });

  it('reads repeated header lines as one list, the last line nearest', () => {
    const repeated = nodeRequest('10.0.0.2', { 'x-forwarded-for': ['6.6.6.6', '198.51.100.7'] });
    expect(clientAddress(repeated, { trustProxy: 1 })).toBe('198.51.100.7');
    expect(clientAddress(repeated, { trustProxy: 2 })).toBe('6.6.6.6');
  });

  it('gives undefined when the hop that would be the client is not an address', () => {
    const { options, warnings } = withWarnings({ trustProxy: 1 });
    for (const value of ['unknown', '_hidden', 'garbage', '1.2.3.256']) {
      expect(
        clientAddress(nodeRequest('10.0.0.2', { 'x-forwarded-for': `198.51.100.7, ${value}` }), options),
      ).toBe(undefined);
    }
    expect(warnings.map((warning) => warning.cause)).toEqual(['unparseable-address']);
  });
});

describe('clientAddress: trustProxy as addresses', () => {
  it('skips trusted hops from the socket and stops at the first other one', () => {
    const request = nodeRequest('::ffff:127.0.0.1', {
      'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.1.2.3, 192.168.0.9',
    });
    expect(clientAddress(request, { trustProxy: ['loopback', 'private'] })).toBe('198.51.100.7');
    expect(clientAddress(request, { trustProxy: ['loopback', '192.168.0.0/16'] })).toBe('10.1.2.3');
    expect(clientAddress(request, { trustProxy: 'loopback' })).toBe('192.168.0.9');
  });

  it('does not read the header when the socket peer is not trusted', () => {
    const { options, warnings } = withWarnings({ trustProxy: ['10.0.0.0/8'] });
    const direct = nodeRequest('203.0.113.9', { 'x-forwarded-for': '10.0.0.1' });
    expect(clientAddress(direct, options)).toBe('203.0.113.9');
    expect(warnings.map((warning) => warning.cause)).toEqual(['forwarded-header-untrusted']);
    expect(warnings[0]!.message).toMatch(/add its address or CIDR/);
  });

  it('matches IPv6 ranges, mapped addresses and the presets', () => {
    const v6 = nodeRequest('fd00::1', { 'x-forwarded-for': '2001:db8::9, fe80::1%eth0' });
    expect(clientAddress(v6, { trustProxy: ['uniquelocal', 'linklocal'] })).toBe('2001:db8::9');
    expect(clientAddress(v6, { trustProxy: ['fd00::/8'] })).toBe('fe80::1');
    const mapped = nodeRequest('::ffff:10.0.0.5', { 'x-forwarded-for': '198.51.100.7' });
    expect(clientAddress(mapped, { trustProxy: ['::ffff:10.0.0.0/104'] })).toBe('198.51.100.7');
    expect(clientAddress(mapped, { trustProxy: ['10.0.0.5'] })).toBe('198.51.100.7');
  });

  it('returns the furthest hop when every hop is trusted (an internal caller)', () => {
    const internal = nodeRequest('10.0.0.2', { 'x-forwarded-for': '10.0.0.9, 10.0.0.1' });
    expect(clientAddress(internal, { trustProxy: 'private' })).toBe('10.0.0.9');
  });
});

describe('clientAddress: the Forwarded header', () => {
  it('is read only when chosen, and X-Forwarded-For is then ignored', () => {
    const request = nodeRequest('10.0.0.2', {
      forwarded: 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711"',
      'x-forwarded-for': '198.51.100.1',
    });
    expect(clientAddress(request, { trustProxy: 1, header: 'forwarded' })).toBe('2001:db8:cafe::17');
    expect(clientAddress(request, { trustProxy: 1 })).toBe('198.51.100.1');
    const { options, warnings } = withWarnings({ trustProxy: 1, header: 'forwarded' });
    expect(clientAddress(nodeRequest('10.0.0.2', { 'x-forwarded-for': '198.51.100.1' }), options)).toBe(
      '10.0.0.2',
    );
    expect(warnings.map((warning) => warning.cause)).toEqual(['forwarded-header-missing']);
  });

  it('treats an obfuscated client as unknown', () => {
    const request = nodeRequest('10.0.0.2', { forwarded: 'for="_gazonk"' });
    expect(
      clientAddress(request, { ...withWarnings().options, trustProxy: 1, header: 'forwarded' }),
    ).toBeUndefined();
  });
});

describe('clientAddress: sources', () => {
  it('reads a fetch Request with an explicit remote address', () => {
    const request = new Request('http://app.test/', {
      headers: { 'X-Forwarded-For': '6.6.6.6, 198.51.100.7' },
    });
    expect(clientAddress(request, { trustProxy: 1, remoteAddress: '127.0.0.1' })).toBe('198.51.100.7');
    expect(clientAddress(request, { ...withWarnings().options, remoteAddress: '127.0.0.1' })).toBe(
      '127.0.0.1',
    );
  });

  it('reads Headers (Next.js headers()) and { headers, remoteAddress }', () => {
    const headers = new Headers({ 'x-real-ip': '198.51.100.7' });
    expect(clientAddress(headers, { platform: 'vercel' })).toBe('198.51.100.7');
    expect(
      clientAddress(
        { headers: { 'X-Forwarded-For': '198.51.100.7' }, remoteAddress: '::1' },
        { trustProxy: 1 },
      ),
    ).toBe('198.51.100.7');
  });

  it('warns when a fetch source has no remote address and no platform', () => {
    const { options, warnings } = withWarnings({ trustProxy: 1 });
    expect(clientAddress(new Request('http://app.test/'), options)).toBeUndefined();
    expect(clientAddress(new Headers(), options)).toBeUndefined();
    expect(warnings.map((warning) => warning.cause)).toEqual(['no-remote-address']);
    expect(warnings[0]!.message).toMatch(/remoteAddress/);
  });

  it('warns when the socket address is not an IP', () => {
    const { options, warnings } = withWarnings();
    expect(clientAddress(nodeRequest('[::1]:80'), options)).toBeUndefined();
    expect(warnings.map((warning) => warning.cause)).toEqual(['unparseable-address']);
  });

  it('does not throw on odd sources', () => {
    const options = withWarnings().options;
    for (const source of [null, undefined, 42, 'x', {}, { headers: null }, { headers: 5 }, { get: 1 }]) {
      expect(clientAddress(source as never, options)).toBeUndefined();
    }
  });
});

describe('clientAddress: options', () => {
  it.each([
    [{ trustProxy: true as never }, /trustProxy: true would trust every hop/],
    [{ trustProxy: -1 }, /whole number from 0 to 32/],
    [{ trustProxy: 1.5 }, /whole number/],
    [{ trustProxy: 33 }, /whole number/],
    [{ trustProxy: [] }, /non-empty list/],
    [{ trustProxy: ['10.0.0.0/33'] }, /"10.0.0.0\/33" is not an IP, a CIDR or a preset/],
    [{ trustProxy: ['toString'] }, /is not an IP, a CIDR or a preset/],
    [{ trustProxy: ['localhost'] }, /loopback/],
    [{ header: 'x-real-ip' as never }, /platform: \{ header: 'x-real-ip' \}/],
    [{ platform: 'heroku' as never }, /use one of vercel, cloudflare, fly, netlify, cloudfront/],
    [{ platform: { header: 'bad header' } }, /is not known/],
  ])('%j is refused with what to write instead', (options, message) => {
    expect(() => createClientAddress(options)).toThrow(GuardrailsConfigError);
    expect(() => clientAddress(nodeRequest('127.0.0.1'), options)).toThrow(message);
  });

  it('createClientAddress returns a named resolver', () => {
    const resolve = createClientAddress({ trustProxy: 1 });
    expect(resolve.name).toBe('resolveCallerAddress');
    expect(resolve(nodeRequest('10.0.0.1', { 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7');
  });
});
