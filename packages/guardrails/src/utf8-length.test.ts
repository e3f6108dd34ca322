import fc from 'fast-check';
import { expect, it } from 'vitest';
import { utf8Length } from './utf8-length.js';

const utf8 = new TextEncoder();

it('counts exactly the bytes TextEncoder writes, lone surrogates included', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(utf8Length(text)).toBe(utf8.encode(text).length);
    }),
    { numRuns: 2000 },
  );
  for (const text of ['\ud800', '\ud800a', '\udc00\ud800', 'é€😀', ''])
    expect(utf8Length(text)).toBe(utf8.encode(text).length);
});
