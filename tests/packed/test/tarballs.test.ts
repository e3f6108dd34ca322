import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

function contents(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
}

function manifest(tarball: string): Record<string, any> {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

describe.each(['guardrails', 'upstashLocal'] as const)('the %s tarball', (name) => {
  const tarball = inject('tarballs')[name];

  it('ships a LICENSE, the README and the build, and no tests or test helpers', () => {
    const files = contents(tarball);
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/README.md');
    expect(files.some((file) => file.startsWith('package/dist/') && file.endsWith('index.js'))).toBe(true);
    expect(files.filter((file) => /\.test(-d)?\.(ts|js)$|\/testing\/|testing-[^/]*$/.test(file))).toEqual([]);
  });

  it('has a manifest npm users can install: no workspace or catalog versions, metadata, ESM exports with a default condition', () => {
    const pkg = manifest(tarball);
    const versions = JSON.stringify([pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies]);
    expect(versions).not.toMatch(/workspace:|catalog:/);
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs?.url).toMatch(/^https:\/\//);
    expect(pkg.keywords?.length).toBeGreaterThan(3);
    for (const [subpath, target] of Object.entries(pkg.exports as Record<string, any>)) {
      if (subpath === './package.json') continue;
      expect(Object.keys(target), subpath).toEqual(['types', 'default']);
    }
  });
});

it('trpc-guardrails takes superjson as a peer with a range, never a pinned copy of its own', () => {
  const pkg = manifest(inject('tarballs').guardrails);
  expect(pkg.dependencies?.superjson).toBeUndefined();
  expect(pkg.peerDependencies.superjson).toMatch(/^>=2\.\d+\.\d+ <3$/);
  expect(pkg.peerDependenciesMeta?.superjson?.optional).not.toBe(true);
});
