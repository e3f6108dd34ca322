import { describe, expect, it } from 'vitest';
import { SLICE_SIZE } from './mapInSlices.js';
import { parseJsonInSlices } from './parseJsonInSlices.js';

/** Big enough to be sliced: past the size threshold and several slices long. */
function bigPipeline(): unknown[] {
  const tricky = ['a,b', 'quote " inside', 'back\\slash\\', '[bracket]', '{brace}', 'é日本🚀', '\\",'];
  return Array.from({ length: SLICE_SIZE * 5 + 17 }, (_, i) => [
    'SET',
    `key:${i}`,
    tricky[i % tricky.length]!.repeat(3),
    i,
    i % 2 === 0,
    { nested: [i, 'x,]'] },
  ]);
}

describe('parseJsonInSlices', () => {
  it('gives exactly what JSON.parse gives for a big array of awkward strings', async () => {
    const value = bigPipeline();
    const text = JSON.stringify(value, null, 1); // whitespace and newlines between tokens too
    expect(Buffer.byteLength(text)).toBeGreaterThan(256 * 1024);
    expect(await parseJsonInSlices(Buffer.from(text))).toEqual(value);
  });

  it('throws what JSON.parse throws for malformed big bodies', async () => {
    const text = JSON.stringify(bigPipeline());
    const broken = [
      `${text.slice(0, -1)},]`, // trailing comma
      `${text.slice(0, -1)}}`, // wrong closing bracket
      text.slice(0, -1), // truncated
      `${text}x`, // garbage after
      text.replace('"key:5000"', '"key:5000'), // unterminated string in the middle
      `${text.slice(0, -1)},${' '.repeat(10)}]`,
      // A trailing comma exactly where a slice ends leaves a blank last slice, which parses as [].
      `${JSON.stringify(bigPipeline().slice(0, SLICE_SIZE * 2)).slice(0, -1)}, ]`,
    ];
    for (const body of broken) {
      const expected = (() => {
        try {
          JSON.parse(body);
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      })();
      await expect(parseJsonInSlices(Buffer.from(body)), body.slice(-20)).rejects.toThrow(expected);
    }
  });

  it('parses small bodies and non-arrays in one go', async () => {
    expect(await parseJsonInSlices(Buffer.from('["GET","k"]'))).toEqual(['GET', 'k']);
    const big = JSON.stringify({ command: 'x'.repeat(300 * 1024) });
    expect(await parseJsonInSlices(Buffer.from(big))).toEqual(JSON.parse(big));
  });
});
