import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

function node(cwd: string, args: string[]): string {
  return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Subpaths a project gets working with the README's install commands alone. */
const SUBPATHS = [
  'trpc-guardrails',
  'trpc-guardrails/client',
  'trpc-guardrails/memory',
  'trpc-guardrails/upstash',
  // Imports neither ioredis nor redis: the user's client is enough.
  'trpc-guardrails/redis',
  // Imports nothing from next: Next.js's control-flow errors are recognised by their digest.
  'trpc-guardrails/next',
];

describe('installed with the README commands, outside the workspace', () => {
  const cwd = inject('consumer');

  it.each(SUBPATHS)('%s loads with import', (subpath) => {
    const keys = node(cwd, [
      '--input-type=module',
      '-e',
      `const m = await import('${subpath}'); console.log(Object.keys(m).sort().join(','))`,
    ]);
    expect(keys.trim().length).toBeGreaterThan(0);
  });

  it.each(SUBPATHS)('%s loads with require()', (subpath) => {
    const keys = node(cwd, [
      '-e',
      `const m = require('${subpath}'); console.log(Object.keys(m).sort().join(','))`,
    ]);
    expect(keys.trim().length).toBeGreaterThan(0);
  });

  it('exports what the README uses', () => {
    const keys = node(cwd, ['-e', "console.log(Object.keys(require('trpc-guardrails')).join(','))"])
      .trim()
      .split(',');
    for (const name of [
      'createGuardrails',
      'slidingWindow',
      'fixedWindow',
      'tokenBucket',
      'guardrailsErrorFormatter',
      'ipScope',
      'clientAddress',
      'createClientAddress',
      'lazyStore',
    ]) {
      expect(keys).toContain(name);
    }
  });
});

describe('upstash-local from its tarball', () => {
  it('installs, runs its CLI and loads with import and require()', () => {
    const cwd = inject('consumer');
    execFileSync('npm', ['i', '-D', inject('tarballs').upstashLocal], { cwd, stdio: 'ignore' });
    expect(execFileSync('npx', ['upstash-local', '--help'], { cwd, encoding: 'utf8' })).toMatch(
      /Usage: upstash-local/,
    );
    for (const subpath of ['upstash-local', 'upstash-local/faults']) {
      expect(node(cwd, ['-e', `console.log(typeof require('${subpath}'))`]).trim()).toBe('object');
      expect(
        node(cwd, ['--input-type=module', '-e', `console.log(typeof (await import('${subpath}')))`]).trim(),
      ).toBe('object');
    }
  });
});
