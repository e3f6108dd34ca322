import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';

/** The workspace's TypeScript 7 (native) beside the project's own TypeScript 5.9. */
const TSC7 = new URL('../../../node_modules/.bin/tsc', import.meta.url).pathname;

const SETTINGS = {
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
};

/** A CommonJS file of the same project: `require()` of the ES module package. */
const CJS_CONSUMER = `import { createGuardrails, slidingWindow } from 'trpc-guardrails';
import { memoryStore } from 'trpc-guardrails/memory';
import { createIdempotencyKey } from 'trpc-guardrails/client';

const guard = createGuardrails<{ ip: string }>()({
  store: memoryStore(),
  scopes: { ip: { limiter: slidingWindow(1, '1 s'), identify: ({ ctx }) => ctx.ip } },
});
export const names: string[] = [...guard.scopes, createIdempotencyKey()];
`;

describe('the README quick start, verbatim, type-checks with skipLibCheck: false', () => {
  const cwd = inject('consumer');
  beforeAll(() => {
    writeFileSync(join(cwd, 'consumer.cts'), CJS_CONSUMER);
    for (const [name, settings] of Object.entries(SETTINGS)) {
      const files =
        name === 'nodenext' ? ['server.ts', 'client.ts', 'consumer.cts'] : ['server.ts', 'client.ts'];
      const config = {
        compilerOptions: {
          ...settings,
          target: 'ES2022',
          lib: ['ES2023', 'DOM'],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files,
      };
      writeFileSync(join(cwd, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
    }
  });

  it.each(Object.keys(SETTINGS))('module resolution %s, TypeScript 5.9', (name) => {
    const tsc = join(cwd, 'node_modules/.bin/tsc');
    const output = runTsc(tsc, cwd, name);
    expect(output).toBe('');
  });

  it.each(Object.keys(SETTINGS))('module resolution %s, TypeScript 7', (name) => {
    expect(runTsc(TSC7, cwd, name)).toBe('');
  });
});

function runTsc(tsc: string, cwd: string, name: string): string {
  try {
    execFileSync(tsc, ['-p', `tsconfig.${name}.json`], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}
