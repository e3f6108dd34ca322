import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';
import { nodeRequest, withWarnings } from './testing-requests.js';

describe('clientAddress: platforms', () => {
  it.each([
    ['vercel', { 'x-real-ip': '198.51.100.7' }, '198.51.100.7'],
    ['cloudflare', { 'cf-connecting-ip': '2001:DB8::7' }, '2001:db8::7'],
    ['fly', { 'fly-client-ip': '198.51.100.7' }, '198.51.100.7'],
    ['netlify', { 'x-nf-client-connection-ip': '198.51.100.7' }, '198.51.100.7'],
    ['cloudfront', { 'cloudfront-viewer-address': '198.51.100.10:46532' }, '198.51.100.10'],
    ['cloudfront', { 'cloudfront-viewer-address': '2001:db8::1:46532' }, '2001:db8::1'],
    ['cloudfront', { 'cloudfront-viewer-address': '[2001:db8::1]:46532' }, '2001:db8::1'],
  ] as const)('%s reads its own header', (platform, headers, expected) => {
    expect(clientAddress(nodeRequest('10.0.0.2', headers), { platform })).toBe(expected);
  });

  it('cloudflare reads CF-Connecting-IPv6 only behind a Pseudo IPv4 stand-in', () => {
    const pseudo = {
      'cf-connecting-ip': '240.16.0.1',
      'cf-connecting-ipv6': '2400:cb00:f00d:dead:beef:1111:2222:3333',
    };
    expect(clientAddress(new Headers(pseudo), { platform: 'cloudflare' })).toBe(
      '2400:cb00:f00d:dead:beef:1111:2222:3333',
    );
    const forged = { 'cf-connecting-ip': '198.51.100.7', 'cf-connecting-ipv6': '2001:db8::666' };
    expect(clientAddress(new Headers(forged), { platform: 'cloudflare' })).toBe('198.51.100.7');
  });

  it("reads only the chosen platform's header", () => {
    const headers = new Headers({ 'cf-connecting-ip': '6.6.6.6', 'x-real-ip': '198.51.100.7' });
    expect(clientAddress(headers, { platform: 'vercel' })).toBe('198.51.100.7');
    expect(clientAddress(headers, { platform: 'fly', ...withWarnings().options })).toBeUndefined();
  });

  it('accepts a custom single-address header', () => {
    const request = nodeRequest('127.0.0.1', { 'x-real-ip': '198.51.100.7' });
    expect(clientAddress(request, { platform: { header: 'X-Real-IP' } })).toBe('198.51.100.7');
  });

  it('falls back to the socket and trustProxy rules when the header is missing or invalid, and warns', () => {
    const { options, warnings } = withWarnings({ platform: 'cloudflare', trustProxy: 1 });
    const bypass = nodeRequest('10.0.0.2', {
      'cf-connecting-ip': 'nonsense',
      'x-forwarded-for': '203.0.113.5',
    });
    expect(clientAddress(bypass, options)).toBe('203.0.113.5');
    expect(clientAddress(nodeRequest('203.0.113.9'), options)).toBe('203.0.113.9');
    expect(clientAddress(new Headers(), options)).toBeUndefined();
    expect(warnings.map((warning) => warning.cause)).toEqual([
      'platform-header-missing',
      'forwarded-header-missing',
    ]);
    expect(warnings[0]!.message).toContain("'cloudflare' (cf-connecting-ip)");
  });

  it('reads the platform header only from a listed peer when trustProxy lists addresses', () => {
    const { options, warnings } = withWarnings({ platform: 'cloudflare', trustProxy: ['173.245.48.0/20'] });
    const viaEdge = nodeRequest('173.245.48.7', { 'cf-connecting-ip': '198.51.100.7' });
    const bypass = nodeRequest('203.0.113.9', { 'cf-connecting-ip': '198.51.100.7' });
    expect(clientAddress(viaEdge, options)).toBe('198.51.100.7');
    expect(clientAddress(bypass, options)).toBe('203.0.113.9');
    expect(warnings.map((warning) => warning.cause)).toEqual(['forwarded-header-untrusted']);
    // Without a socket address (an edge runtime) the header is all there is.
    expect(clientAddress(new Headers({ 'cf-connecting-ip': '198.51.100.7' }), options)).toBe('198.51.100.7');
  });

  it('refuses oversized platform header values without reading them', () => {
    // (fetch Headers would trim the spaces; Node keeps them.)
    const huge = `${' '.repeat(65_536)}198.51.100.7`;
    const request = nodeRequest('10.0.0.2', { 'x-real-ip': huge });
    expect(clientAddress(request, { platform: 'vercel', ...withWarnings().options })).toBe('10.0.0.2');
  });
});
