import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUDGET, workMeter } from './budget.js';
import { canonicalAddress } from './canonical-address.js';
import { resolveClientAddress } from './client-address.js';
import type { ClientAddressOptions } from './client-address-options.js';

/**
 * The most characters one call may examine: a forwarding header is scanned once within the budget
 * (backslashes before quotes at most twice), its elements are sliced and parsed once, plus up to
 * two single-address platform headers.
 */
const MAX_CHARS = 4 * BUDGET.headerChars + 4 * (BUDGET.nodeChars + 16);
const quiet = () => {};

const OPTIONS: ClientAddressOptions[] = [
  {},
  { trustProxy: 1 },
  { trustProxy: 3 },
  { trustProxy: BUDGET.hops },
  { trustProxy: ['loopback', 'private'] },
  { trustProxy: ['0.0.0.0/0', '::/0'] }, // every hop trusted: the worst case for the walk
  { trustProxy: 2, header: 'forwarded' },
  { trustProxy: ['0.0.0.0/0', '::/0'], header: 'forwarded' },
  { platform: 'cloudflare', trustProxy: 1 },
  { platform: 'cloudfront' },
  { platform: { header: 'x-real-ip' }, trustProxy: ['10.0.0.0/8'] },
];
for (const options of OPTIONS) options.onWarning = quiet;

const port = fc.integer({ min: 0, max: 99_999 });
const node = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(), // octal and hex spellings: must be refused, not misread
  fc.tuple(fc.ipV4(), port).map(([ip, p]) => `${ip}:${p}`),
  fc.tuple(fc.ipV6(), port).map(([ip, p]) => `[${ip}]:${p}`),
  fc.constantFrom('unknown', '_hidden', '::ffff:10.0.0.1', 'fe80::1%eth0', '[::1', '1:::2', '01.2.3.4'),
);
/** Characters that mean something to the parsers, so garbage stays close to the grammar. */
const syntax = fc.string({
  unit: fc.constantFrom(...'0123456789abcdefABCDEF:.,;"[]\\= _%forFOR\t-'),
  maxLength: 200,
});
const garbage = fc.oneof(
  syntax,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const forwardedElement = fc.oneof(
  node.map((value) => `for=${value}`),
  node.map((value) => `For="${value}";proto=https;by=10.0.0.1`),
  garbage,
);
const headerValue = fc.oneof(
  fc.array(fc.oneof(node, garbage), { maxLength: 50, size: 'medium' }).map((parts) => parts.join(', ')),
  fc.array(forwardedElement, { maxLength: 50, size: 'medium' }).map((parts) => parts.join(',')),
  garbage,
);
const headers = fc.record(
  {
    'x-forwarded-for': headerValue,
    forwarded: headerValue,
    'x-real-ip': fc.oneof(node, garbage),
    'cf-connecting-ip': fc.oneof(node, garbage),
    'cf-connecting-ipv6': fc.oneof(node, garbage),
    'cloudfront-viewer-address': fc.oneof(node, garbage),
  },
  { requiredKeys: [] },
);
const socket = fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('::ffff:10.0.0.1'), garbage), {
  nil: undefined,
});

function expectSafe(result: string | undefined) {
  if (result !== undefined) expect(canonicalAddress(result)).toBe(result);
}

describe('clientAddress under fuzzing', () => {
  it('never throws, returns undefined or a canonical address, and stays within the budget', () => {
    let calls = 0;
    let maxChars = 0;
    fc.assert(
      fc.property(headers, socket, fc.constantFrom(...OPTIONS), (values, remoteAddress, options) => {
        const meter = workMeter();
        const result = resolveClientAddress({ headers: values, socket: { remoteAddress } }, options, meter);
        expectSafe(result);
        expect(meter.chars).toBeLessThanOrEqual(MAX_CHARS);
        expect(meter.hops).toBeLessThanOrEqual(BUDGET.hops);
        calls++;
        maxChars = Math.max(maxChars, meter.chars);
      }),
      { numRuns: 3000 },
    );
    console.log(
      `fuzz: ${calls} random requests, at most ${maxChars} characters examined per call (bound ${MAX_CHARS})`,
    );
  });

  it('does the same bounded work on 10,000 hops and 64 KB values', () => {
    const hops10k = Array.from(
      { length: 10_000 },
      (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    ).join(', ');
    const quoted10k = Array.from({ length: 10_000 }, () => 'for="[2001:db8::1]:4711"').join(', ');
    const cases: Record<string, string> = {
      '10,000 trusted hops (XFF)': hops10k,
      '10,000 quoted hops (Forwarded)': quoted10k,
      '64 KB of one address': '1'.repeat(65_536),
      '64 KB of commas': ','.repeat(65_536),
      '64 KB of quotes and backslashes': '\\"'.repeat(32_768),
      '64 KB unclosed quote': `"${'a'.repeat(65_535)}`,
    };
    for (const [name, value] of Object.entries(cases)) {
      for (const options of OPTIONS) {
        const meter = workMeter();
        const source = {
          headers: { 'x-forwarded-for': value, forwarded: value, 'x-real-ip': value },
          remoteAddress: '10.0.0.1',
        };
        expectSafe(resolveClientAddress(source, options, meter));
        expect(meter.chars, name).toBeLessThanOrEqual(MAX_CHARS);
        expect(meter.hops, name).toBeLessThanOrEqual(BUDGET.hops);
      }
      const runs = 2000;
      const source = { headers: { 'x-forwarded-for': value, forwarded: value }, remoteAddress: '10.0.0.1' };
      const options = { trustProxy: ['0.0.0.0/0', '::/0'], header: 'forwarded', onWarning: quiet } as const;
      const xff = { trustProxy: ['0.0.0.0/0', '::/0'], onWarning: quiet } as const;
      const meter = workMeter();
      const started = performance.now();
      for (let i = 0; i < runs; i++) {
        resolveClientAddress(source, options, meter);
        resolveClientAddress(source, xff, meter);
      }
      const micros = ((performance.now() - started) * 1000) / (2 * runs);
      console.log(
        `fuzz: ${name} (${value.length} chars): ${micros.toFixed(1)} µs/call, ` +
          `${Math.round(meter.chars / (2 * runs))} characters examined/call`,
      );
    }
  });

  it('never lets what a client writes to the left change the answer', () => {
    const proxy = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`);
    const client = fc.oneof(fc.ipV4(), fc.ipV6()).filter((ip) => !canonicalAddress(ip)?.startsWith('10.'));
    const forged = fc.oneof(
      headerValue,
      garbage,
      fc.constantFrom('"', 'for="', '\\', '[', '1.1.1.1'),
      fc.constant('9'.repeat(65_536)),
    );
    fc.assert(
      fc.property(forged, client, fc.array(proxy, { minLength: 1, maxLength: 8 }), (left, ip, proxies) => {
        // The client sends `left`; each proxy appends the address it got the request from.
        const peers = [ip, ...proxies.slice(0, -1)];
        const socket = proxies.at(-1)!;
        const xff = `${left}, ${peers.join(', ')}`;
        const forwarded = `${left}, ${peers.map((peer) => (peer.includes(':') ? `for="[${peer}]:443"` : `for=${peer}`)).join(', ')}`;
        const source = { headers: { 'x-forwarded-for': xff, forwarded }, remoteAddress: socket };
        const expected = canonicalAddress(ip);
        for (const options of [
          { trustProxy: proxies.length },
          { trustProxy: ['10.0.0.0/8'] },
          { trustProxy: proxies.length, header: 'forwarded' as const },
          { trustProxy: ['10.0.0.0/8'], header: 'forwarded' as const },
        ]) {
          expect(resolveClientAddress(source, { ...options, onWarning: quiet }, workMeter())).toBe(expected);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('never answers a trusted hop when the budget cuts the chain (repeated header lines)', () => {
    const line = fc.tuple(fc.nat(255), fc.integer({ min: 0, max: 400 }));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 31, size: 'max' }), (trusted) => {
        // One line per hop, as a proxy that adds a header line instead of appending to the list.
        const lines = [
          'for=198.51.100.7',
          ...trusted.map(([n, pad]) => `for=10.0.0.${n};host="${'x'.repeat(pad)}"`),
        ];
        const source = { headers: { forwarded: lines }, remoteAddress: '10.0.0.254' };
        const options = { trustProxy: ['10.0.0.0/8'], header: 'forwarded', onWarning: quiet } as const;
        const result = resolveClientAddress(source, options, workMeter());
        if (lines.join(', ').length <= BUDGET.headerChars) expect(result).toBe('198.51.100.7');
        else expect([undefined, '198.51.100.7']).toContain(result);
      }),
      { numRuns: 2000 },
    );
  });
});
