import { describe, expect, it } from 'vitest';
import { GuardrailsConfigError } from '../errors.js';
import { addressKey } from '../identity/address-key.js';
import { accessList, toAccessList } from './access-list.js';

describe('accessList', () => {
  it('matches identifiers exactly, and addresses inside listed blocks', () => {
    const list = accessList(['user_42', '203.0.113.0/24', '198.51.100.7', '2001:db8:bad::/48']);
    expect(list.has('user_42')).toBe(true);
    expect(list.has('user_4')).toBe(false);
    expect(list.has('203.0.113.200')).toBe(true);
    expect(list.has('203.0.114.1')).toBe(false);
    expect(list.has('198.51.100.7')).toBe(true);
    expect(list.has('198.51.100.8')).toBe(false);
    expect(list.has('2001:db8:bad:ffff::1')).toBe(true);
    expect(list.has('2001:DB8:0BAD::1')).toBe(true);
    expect(list.has('2001:db8:bae::1')).toBe(false);
  });

  it('compares every spelling of an address alike, IPv4-mapped included', () => {
    const list = accessList(['192.0.2.0/24']);
    expect(list.has('::ffff:192.0.2.9')).toBe(true);
    expect(accessList(['::ffff:192.0.2.0/120']).has('192.0.2.9')).toBe(true);
  });

  it('covers an IPv6 network key (as ipScope keys callers) only when the whole network is inside', () => {
    const key = addressKey('2001:db8:0:1ff::5')!; // 2001:db8:0:100::/56
    expect(accessList(['2001:db8::/32']).has(key)).toBe(true);
    expect(accessList(['2001:db8:0:100::/56']).has(key)).toBe(true);
    // One address of the /56 does not speak for every device in it.
    expect(accessList(['2001:db8:0:1ff::5']).has(key)).toBe(false);
    expect(accessList(['2001:db8:0:100::/60']).has(key)).toBe(false);
  });

  it('never lets an IPv4 block match an IPv6 caller, nor the reverse', () => {
    expect(accessList(['0.0.0.0/0']).has('2001:db8::1')).toBe(false);
    expect(accessList(['::/0']).has('192.0.2.1')).toBe(false);
    expect(accessList(['::/0']).has('2001:db8::1')).toBe(true);
  });

  it('adds, deletes and replaces at runtime; the next lookup sees the change', () => {
    const list = accessList();
    expect(list.has('10.1.2.3')).toBe(false);
    list.add('10.0.0.0/8', 'svc');
    expect([list.has('10.1.2.3'), list.has('svc'), list.size]).toEqual([true, true, 2]);
    list.delete('10.0.0.0/8');
    expect([list.has('10.1.2.3'), list.size]).toEqual([false, 1]);
    // A block is found however it was spelled when added.
    list.add('10.0.0.9/8');
    list.delete('10.0.0.0/8');
    expect(list.has('10.1.2.3')).toBe(false);
    list.replace(['172.16.0.0/12']);
    expect([list.has('svc'), list.has('172.20.0.1'), list.size]).toEqual([false, true, 1]);
  });

  it('refuses what looks like an address block but is not, so a typo never becomes an identifier', () => {
    expect(() => accessList(['10.0.0.0/33'])).toThrow(GuardrailsConfigError);
    expect(() => accessList(['2001:db8::/129'])).toThrow(/not a valid address block/);
    expect(() => accessList([''])).toThrow(/non-empty strings/);
    expect(() => accessList([42 as never])).toThrow(/non-empty strings/);
    // A failed add changes nothing.
    const list = accessList(['a']);
    expect(() => list.add('b', '1.2.3.4/40')).toThrow();
    expect(list.has('b')).toBe(false);
  });

  it('takes arrays or lists as scope options, and says what else it needs', () => {
    const list = accessList(['x']);
    expect(toAccessList(list, 'scopes.ip.deny')).toBe(list);
    expect(toAccessList(['x'], 'scopes.ip.deny')?.has('x')).toBe(true);
    expect(toAccessList(undefined, 'scopes.ip.deny')).toBeUndefined();
    expect(() => toAccessList('10.0.0.0/8', 'scopes.ip.deny')).toThrow(/scopes\.ip\.deny must be an array/);
  });

  it('stays fast with many entries: one lookup per distinct prefix length', () => {
    const entries = Array.from({ length: 50_000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`);
    const list = accessList(entries);
    expect(list.size).toBe(50_000);
    expect(list.has('10.3.7.200')).toBe(true);
    expect(list.has('11.0.0.1')).toBe(false);
  });
});
