import { SLICE_SIZE, yieldToEventLoop } from './mapInSlices.js';

/**
 * `JSON.stringify(items.map(toJson))`, built a slice at a time with yields to the event loop in
 * between, so answering a 100,000-command pipeline does not hold other requests up.
 *
 * @example
 * const json = await stringifyInSlices(outcomes, (outcome) => ({ result: outcome.result }));
 */
export async function stringifyInSlices<T>(
  items: readonly T[],
  toJson: (item: T) => unknown,
  sliceSize = SLICE_SIZE,
): Promise<string> {
  if (items.length <= sliceSize) return JSON.stringify(items.map(toJson));
  const parts: string[] = [];
  for (let start = 0; start < items.length; start += sliceSize) {
    if (start > 0) await yieldToEventLoop();
    // Each slice is a JSON array; its brackets are dropped and the slices joined into one.
    parts.push(JSON.stringify(items.slice(start, start + sliceSize).map(toJson)).slice(1, -1));
  }
  return `[${parts.join(',')}]`;
}
