import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type NodeImports, nodeImportsPlugin } from './bundle.js';

const require = createRequire(import.meta.url);
const libraryDir = dirname(require.resolve('trpc-guardrails/package.json'));
const manifest = JSON.parse(readFileSync(join(libraryDir, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { default: string }>;
  peerDependencies: Record<string, string>;
};

/** Every runtime entry the package exports (read from its `exports`, so new subpaths are covered). */
const entries = Object.entries(manifest.exports)
  .filter(([subpath, target]) => subpath !== './package.json' && typeof target === 'object')
  .map(([subpath, target]) => ({ subpath, file: (target as { default: string }).default }));

/**
 * Bundles a file with everything it imports except the peer dependencies (the app brings those)
 * for a platform without Node, and lists the Node built-ins it reached.
 */
async function nodeImportsOf(file: string): Promise<string[]> {
  const record: NodeImports = { found: [] };
  await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: Object.keys(manifest.peerDependencies),
    logLevel: 'silent',
    plugins: [nodeImportsPlugin(record)],
  });
  return record.found.map((line) => line.replace(`${libraryDir}/`, ''));
}

describe('trpc-guardrails runtime code imports no Node built-in', () => {
  it('finds the built package and its entries', () => {
    expect(entries.map((entry) => entry.subpath)).toEqual(
      expect.arrayContaining(['.', './upstash', './memory']),
    );
  });

  it.each(entries)('$subpath ($file) bundles for a neutral platform without node:*', async ({ file }) => {
    // A static import would fail at the edge; `process.getBuiltinModule` at run time is allowed.
    expect(await nodeImportsOf(join(libraryDir, file))).toEqual([]);
  });

  it('catches a static Node import (the check itself works)', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'imports-node-crypto.js');
    expect(await nodeImportsOf(fixture)).toEqual([
      expect.stringMatching(/imports-node-crypto\.js → node:crypto$/),
    ]);
  });
});
