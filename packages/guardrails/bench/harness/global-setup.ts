import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { writeBenchmarksDoc } from './write-doc.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOC_PATH = resolve(PACKAGE_ROOT, '../../docs/benchmarks.md');

/**
 * `pnpm bench`'s frame: a temp dir for the bench files' fragments before they run, and
 * `docs/benchmarks.md` assembled from them after the last one.
 */
export default async function setup(project: TestProject) {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'guardrails-bench-'));
  project.provide('benchFragments', dir);
  return async function teardown() {
    const written = await writeBenchmarksDoc({
      fragmentsDir: dir,
      packageRoot: PACKAGE_ROOT,
      docPath: DOC_PATH,
      wallSeconds: (performance.now() - started) / 1000,
    });
    if (written) console.log(`\n[bench] wrote ${written}`);
    await rm(dir, { recursive: true, force: true });
  };
}
