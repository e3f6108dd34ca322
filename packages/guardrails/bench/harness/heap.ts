import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** `global.gc`, from `--expose-gc` (the bench config passes it) or switched on here. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface MemorySnapshot {
  heapUsed: number;
  rss: number;
}

/** Heap and RSS after full collections, once the heap stopped shrinking. */
export async function settledMemory(): Promise<MemorySnapshot> {
  const gc = collector();
  let heapUsed = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    gc();
    await sleep(20);
    const now = process.memoryUsage().heapUsed;
    if (now >= heapUsed * 0.999) break;
    heapUsed = now;
  }
  const { rss } = process.memoryUsage();
  return { heapUsed: process.memoryUsage().heapUsed, rss };
}
