import { describe, expect, it } from 'vitest';
import { canonicalAddress } from './canonical-address.js';

describe('canonicalAddress', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    // IPv6 in RFC 5952 form: lowercase, no leading zeros, longest zero run compressed.
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:0:0:1:0:0', '2001:db8::1:0:0'], // longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['FE80::ABCD', 'fe80::abcd'],
    // Zone ids are dropped.
    ['fe80::1%eth0', 'fe80::1'],
    ['fe80::1%25', 'fe80::1'],
    // IPv4-mapped becomes IPv4, in either spelling.
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:127.0.0.1', '127.0.0.1'],
    // Other embedded IPv4 stays IPv6, written in hex.
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['::192.0.2.1', '::c000:201'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });

  it('gives every spelling of one address the same text', () => {
    const spellings = [
      '2001:DB8::1',
      '2001:db8:0:0::1',
      '2001:0DB8:0:0:0:0:0:1',
      '2001:db8::0:1',
      '2001:db8::1%en0',
    ];
    expect(new Set(spellings.map(canonicalAddress))).toEqual(new Set(['2001:db8::1']));
  });

  it.each([
    '',
    ' 192.0.2.1',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.256',
    '01.2.3.4', // octal-looking
    '1.2.3.04',
    '0x1.2.3.4',
    '1.2.3.-1',
    '1:::2',
    ':::',
    '12345::',
    '1::2::3',
    ':1::',
    '1::2:',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4::5:6:7:8', // :: must stand for at least one group
    '1:2:3:4:5:6:7:1.2.3.4',
    '::1.2.3.4:5',
    '::ffff:1.2.3.256',
    '::ffff:01.2.3.4',
    'g::1',
    'fe80::1%',
    'fe80::1%eth 0',
    '[::1]',
    '192.0.2.1:80',
    'localhost',
    'unknown',
    `${'1:'.repeat(40)}1`,
  ])('refuses %j', (input) => {
    expect(canonicalAddress(input)).toBeUndefined();
  });

  it('refuses non-strings without throwing', () => {
    expect(canonicalAddress(undefined as never)).toBeUndefined();
    expect(canonicalAddress(42 as never)).toBeUndefined();
  });
});
