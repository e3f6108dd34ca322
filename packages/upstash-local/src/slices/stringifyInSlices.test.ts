import { describe, expect, it } from 'vitest';
import { mapInSlices } from './mapInSlices.js';
import { stringifyInSlices } from './stringifyInSlices.js';

describe('mapInSlices and stringifyInSlices', () => {
  it('match map and JSON.stringify, in order, whatever the slice size', async () => {
    const items = Array.from({ length: 1000 }, (_, i) =>
      i % 3 === 0 ? { error: `e${i}` } : { result: [i, null, 'x"y'] },
    );
    for (const size of [1, 7, 999, 1000, 5000]) {
      const visited: number[] = [];
      const mapped = await mapInSlices(
        items,
        (item, i) => {
          visited.push(i);
          return item;
        },
        size,
      );
      expect(mapped).toEqual(items);
      expect(visited).toEqual(items.map((_, i) => i));
      expect(await stringifyInSlices(items, (item) => item, size)).toBe(JSON.stringify(items));
    }
    expect(await stringifyInSlices([], (item) => item, 1)).toBe('[]');
  });

  it('lets other callbacks run between slices', async () => {
    let ticks = 0;
    let done = false;
    const ticker = (async () => {
      while (!done) {
        await new Promise((resolve) => setImmediate(resolve));
        ticks++;
      }
    })();
    const seen: number[] = [];
    await mapInSlices(Array.from({ length: 50 }), () => seen.push(ticks), 10);
    done = true;
    await ticker;
    expect(new Set(seen).size).toBeGreaterThan(1); // the ticker ran while the map was under way
  });
});
