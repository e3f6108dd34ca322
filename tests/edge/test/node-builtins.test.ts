import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * The library's runtime source files: what `tsconfig.build.json` compiles into `dist` (tests,
 * type tests and test helpers are left out, as there).
 */
function runtimeSources(): string[] {
  const src = join(libraryDir, 'src');
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter(
      (file) =>
        file.endsWith('.ts') &&
        !/\.test(-d)?\.ts$/.test(file) &&
        !file.startsWith('testing/') &&
        // The operator CLI is a Node program (a `bin`), never part of an app's bundle.
        !file.startsWith('cli/') &&
        !/(^|\/)testing-[^/]*$/.test(file),
    )
    .map((file) => join(src, file))
    .sort();
}

/**
 * Every Node built-in the files import at run time — statically, with `import()` or `require()` —
 * each file taken as an entry, packages left out. Type-only imports do not count: TypeScript
 * erases them.
 */
async function sourceNodeImports(files: string[]): Promise<string[]> {
  const record: NodeImports = { found: [] };
  await build({
    entryPoints: files,
    bundle: true,
    write: false,
    outdir: 'unused',
    platform: 'neutral',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
    plugins: [nodeImportsPlugin(record)],
  });
  return [...new Set(record.found.map((line) => line.replace(`${libraryDir}/`, '')))];
}

const HOW_TO_FIX =
  "library runtime code (packages/guardrails/src, tests excepted) must not import Node built-ins: edge runtimes (Vercel's edge, Next.js's edge sandbox, Workers without nodejs_compat) have none, and bundlers fail on them. Find the module at run time instead — process.getBuiltinModule('node:…') in a try/catch, with a fallback (see src/guard/sha256.ts) — or use a Web API";

describe('trpc-guardrails source files import no Node built-in (before any build)', () => {
  const files = runtimeSources();

  it('finds the runtime sources, and leaves tests and test helpers out', () => {
    const relative = files.map((file) => file.replace(`${libraryDir}/`, ''));
    expect(relative).toEqual(
      expect.arrayContaining(['src/index.ts', 'src/next/index.ts', 'src/guard/once.ts']),
    );
    expect(relative.filter((file) => /\.test(-d)?\.ts$|\/testing\/|testing-[^/]*$/.test(file))).toEqual([]);
  });

  it('no runtime source file imports node:* or a bare Node built-in', async () => {
    expect(await sourceNodeImports(files), HOW_TO_FIX).toEqual([]);
  });

  it('catches static, bare and dynamic imports in TypeScript, and lets type-only imports and getBuiltinModule pass (the check itself works)', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'imports-node-builtins.ts');
    const found = await sourceNodeImports([fixture]);
    expect(found.every((line) => line.includes('imports-node-builtins.ts → '))).toBe(true);
    expect(found.map((line) => line.split(' → ')[1]).sort()).toEqual(['crypto', 'node:fs', 'node:os']);
  });
});
