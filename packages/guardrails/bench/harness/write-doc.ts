import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Fragment, renderFragment, SECTIONS } from './fragments.js';
import { describeMachine } from './machine.js';
import { SETTINGS } from './settings.js';

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

/** The fragments found in `dir`, in section order. */
export async function readFragments(dir: string): Promise<Fragment[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const fragments = await Promise.all(
    files
      .filter((file) => file.endsWith('.json'))
      .map(async (file) => JSON.parse(await readFile(join(dir, file), 'utf8')) as Fragment),
  );
  return fragments.sort((a, b) => SECTIONS.indexOf(a.id) - SECTIONS.indexOf(b.id));
}

/**
 * Writes `docs/benchmarks.md` from a complete run. A run missing a section (a filtered run, a
 * bench that failed) leaves the doc as it was and says which sections are missing.
 */
export async function writeBenchmarksDoc(options: {
  fragmentsDir: string;
  packageRoot: string;
  docPath: string;
  wallSeconds: number;
}): Promise<string | undefined> {
  const fragments = await readFragments(options.fragmentsDir);
  const missing = SECTIONS.filter((id) => !fragments.some((fragment) => fragment.id === id));
  if (missing.length > 0) {
    console.log(`\n[bench] not writing docs/benchmarks.md: no result for ${missing.join(', ')}`);
    return undefined;
  }
  const toc = fragments.map((fragment) => `- [${fragment.title}](#${anchor(fragment.title)})`);
  const doc = [
    '# Benchmarks',
    'Written by `pnpm bench` (one run; `packages/guardrails/bench/*.bench.ts`). Figures print; nothing asserts timings. ' +
      'Every latency row is a median (and p95) of calls interleaved with the other rows of its table, so drift on a shared machine spreads over all rows alike.',
    [
      ...describeMachine(options.packageRoot),
      `- store latency settings: ${SETTINGS.latenciesMs.join(', ')} ms added per store request — by upstash-local's \`latencyMs\` before it handles each HTTP request, and by a delaying TCP proxy on each client→redis-server write for the TCP clients; ${SETTINGS.calls} interleaved calls per latency row (${SETTINGS.floorCalls} in table 1)`,
      `- run: ${new Date().toISOString()}, wall time of the whole \`pnpm bench\` run ${(options.wallSeconds / 60).toFixed(1)} min`,
    ].join('\n'),
    toc.join('\n'),
    ...fragments.map((fragment) => renderFragment(fragment)),
  ].join('\n\n');
  await writeFile(options.docPath, `${doc}\n`);
  return options.docPath;
}
