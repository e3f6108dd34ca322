import { describe, expect, it } from 'vitest';
import { formatIp } from './format-ip.js';
import { parseNode } from './parse-node.js';

function text(input: string): string {
  const node = parseNode(input);
  return node.kind === 'ip' ? formatIp(node.ip) : node.kind;
}

describe('parseNode', () => {
  it.each([
    ['192.0.2.43', '192.0.2.43'],
    ['192.0.2.43:47011', '192.0.2.43'],
    ['[2001:db8:cafe::17]', '2001:db8:cafe::17'],
    ['[2001:db8:cafe::17]:4711', '2001:db8:cafe::17'],
    ['[2001:db8::1]:_port', '2001:db8::1'],
    ['[::ffff:192.0.2.1]:80', '192.0.2.1'],
    ['2001:db8::17', '2001:db8::17'],
    ['fe80::1%eth0', 'fe80::1'],
    ['unknown', 'hidden'],
    ['UNKNOWN', 'hidden'],
    ['unknown:80', 'hidden'],
    ['_gazonk', 'hidden'],
    ['_hidden:_SEVKISEK', 'hidden'],
    ['', 'invalid'],
    ['[192.0.2.1]', 'invalid'], // brackets only hold IPv6
    ['[2001:db8::1', 'invalid'],
    ['[2001:db8::1]x', 'invalid'],
    ['[2001:db8::1]:', 'invalid'],
    ['[2001:db8::1]:123456', 'invalid'],
    ['192.0.2.1:', 'invalid'],
    ['192.0.2.1:80:80', 'invalid'],
    ['192.0.2.1:http', 'invalid'],
    ['_', 'invalid'],
    ['_a b', 'invalid'],
    ['hello', 'invalid'],
    [`${'9'.repeat(200)}`, 'invalid'],
  ])('%j → %s', (input, expected) => {
    expect(text(input)).toBe(expected);
  });
});
