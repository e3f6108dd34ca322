import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type Fragment, renderFragment } from './fragments.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where each bench file leaves its fragment for `global-setup.ts` to assemble. */
    benchFragments: string;
  }
}

/** Prints the section and leaves it for the doc writer (when run through `pnpm bench`). */
export async function publish(fragment: Fragment): Promise<void> {
  console.log(`\n${renderFragment(fragment)}\n`);
  const dir = inject('benchFragments');
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${fragment.id}.json`), JSON.stringify(fragment, null, 2));
}

/**
 * Starts a bench's clock; the function it returns gives the fragment's `seconds` and `load`.
 * @example const elapsed = benchTimer(); …; await publish({ ...elapsed(), id, title, … });
 */
export function benchTimer(): () => Pick<Fragment, 'seconds' | 'load'> {
  const started = performance.now();
  const load = loadavg()[0];
  return () => ({ seconds: (performance.now() - started) / 1000, load });
}
