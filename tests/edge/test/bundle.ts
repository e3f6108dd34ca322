import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** What a bundle pulled in from Node: `importer → specifier` lines. */
export interface NodeImports {
  found: string[];
}

/**
 * Records every import of a Node built-in (`node:crypto`, `fs`, …) and keeps it out of the
 * bundle, so one build lists them all instead of stopping at the first unresolvable one.
 */
export function nodeImportsPlugin(record: NodeImports): Plugin {
  return {
    name: 'node-imports',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        record.found.push(`${args.importer || '(entry)'} → ${args.path}`);
        return { path: args.path, external: true };
      });
    },
  };
}

export interface EdgeBundle {
  code: string;
  nodeImports: string[];
}

/**
 * Bundles an edge entry as a platform without Node would get it: `platform: 'neutral'`, the
 * export conditions of that runtime, everything inlined.
 */
export async function bundleEdgeEntry(
  entry: string,
  { conditions, format }: { conditions: string[]; format: 'esm' | 'iife' },
): Promise<EdgeBundle> {
  const nodeImports: NodeImports = { found: [] };
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${entry}`, import.meta.url))],
    bundle: true,
    write: false,
    platform: 'neutral',
    format,
    target: 'es2022',
    conditions,
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    plugins: [nodeImportsPlugin(nodeImports)],
  });
  return { code: result.outputFiles[0]!.text, nodeImports: nodeImports.found };
}
