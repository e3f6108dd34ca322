import { describe, expect, it } from 'vitest';
import { GuardrailsConfigError } from '../errors.js';
import { addressKey } from './address-key.js';

describe('addressKey', () => {
  it('keys IPv6 by its /56 network by default', () => {
    expect(addressKey('2001:DB8:0:1ff:a:b:c:d')).toBe('2001:db8:0:100::/56');
    expect(addressKey('2001:db8::1')).toBe('2001:db8::/56');
    expect(addressKey('fe80::1%eth0')).toBe('fe80::/56');
  });

  it('gives every address of one /56 the same key, and the next /56 another', () => {
    const keys = new Set<string | undefined>();
    for (let subnet = 0x100; subnet <= 0x1ff; subnet += 0x11) {
      keys.add(addressKey(`2001:db8:0:${subnet.toString(16)}:${subnet}:1:2:3`));
    }
    expect(keys).toEqual(new Set(['2001:db8:0:100::/56']));
    expect(addressKey('2001:db8:0:200::1')).toBe('2001:db8:0:200::/56');
  });

  it('keys IPv4 by address, mapped or not', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:c000:201')).toBe('192.0.2.1');
  });

  it('takes other prefixes', () => {
    expect(addressKey('192.0.2.77', { ipv4Prefix: 24 })).toBe('192.0.2.0/24');
    expect(addressKey('192.0.2.77', { ipv4Prefix: 0 })).toBe('0.0.0.0/0');
    expect(addressKey('192.0.2.77', { ipv4Prefix: false })).toBe('192.0.2.77');
    expect(addressKey('2001:db8:aaaa:bbbb:cccc::1', { ipv6Prefix: 48 })).toBe('2001:db8:aaaa::/48');
    expect(addressKey('2001:db8:aaaa:bbbb:cccc::1', { ipv6Prefix: 64 })).toBe('2001:db8:aaaa:bbbb::/64');
    expect(addressKey('2001:db8:aaaa:bbff::1', { ipv6Prefix: 60 })).toBe('2001:db8:aaaa:bbf0::/60');
    expect(addressKey('2001:db8:aaaa:bbbb:cccc::1', { ipv6Prefix: 57 })).toBe('2001:db8:aaaa:bb80::/57');
    expect(addressKey('2001:DB8::1', { ipv6Prefix: false })).toBe('2001:db8::1');
    expect(addressKey('2001:DB8::1', { ipv6Prefix: 128 })).toBe('2001:db8::1');
    expect(addressKey('2001:db8::1', { ipv6Prefix: 0 })).toBe('::/0');
  });

  it('is undefined for anything that is not an address', () => {
    for (const input of ['', 'unknown', '1.2.3.256', '[2001:db8::1]', '192.0.2.1:80', 'x'.repeat(10_000)]) {
      expect(addressKey(input)).toBeUndefined();
    }
    expect(addressKey(undefined as never)).toBeUndefined();
  });

  it.each([
    { ipv6Prefix: 129 },
    { ipv6Prefix: -1 },
    { ipv4Prefix: 33 },
    { ipv4Prefix: 8.5 },
    { ipv6Prefix: true as never },
  ])('refuses %j', (options) => {
    expect(() => addressKey('192.0.2.1', options)).toThrow(GuardrailsConfigError);
    expect(() => addressKey('192.0.2.1', options)).toThrow(/whole number from 0 to/);
  });
});
