/**
 * Items handled between two yields to the event loop. Around 2,000 commands take a few
 * milliseconds, so a huge pipeline holds other requests up by that much instead of by its whole cost.
 */
export const SLICE_SIZE = 2048;

/** Resolves after pending I/O callbacks ran, so other requests get a turn in a long loop. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * `items.map(fn)`, yielding to the event loop after every {@link SLICE_SIZE} items. Items are
 * visited in order, so `fn` may keep state across calls. Small arrays are mapped in one go.
 *
 * @example
 * const prepared = await mapInSlices(commands, (command) => prepareCommand(command, scripts, false));
 */
export async function mapInSlices<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => R,
  sliceSize = SLICE_SIZE,
): Promise<R[]> {
  if (items.length <= sliceSize) return items.map(fn);
  const out = new Array<R>(items.length);
  for (let start = 0; start < items.length; start += sliceSize) {
    if (start > 0) await yieldToEventLoop();
    const end = Math.min(items.length, start + sliceSize);
    for (let i = start; i < end; i++) out[i] = fn(items[i]!, i);
  }
  return out;
}
