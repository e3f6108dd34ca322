import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { codeBlock, readmeInstallCommands } from './readme.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    /** A fresh npm project outside the workspace, set up exactly as the README says. */
    consumer: string;
    /** The packed tarballs. */
    tarballs: { guardrails: string; upstashLocal: string };
  }
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
    },
  });
}

/**
 * Packs both packages (pnpm rewrites workspace and catalog versions, as publishing does),
 * creates a project in the system's temp dir, runs the README's install commands with npm (the
 * library's tarball in place of its name), and writes the README's quick start into it.
 */
export default function setup(project: TestProject): void {
  const work = mkdtempSync(join(tmpdir(), 'trpc-guardrails-packed-'));
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  for (const dir of ['packages/guardrails', 'packages/upstash-local']) {
    run('pnpm', ['pack', '--pack-destination', packs], join(ROOT, dir));
  }
  const files = readdirSync(packs);
  const tarballs = {
    guardrails: join(packs, files.find((file) => file.startsWith('trpc-guardrails-'))!),
    upstashLocal: join(packs, files.find((file) => file.startsWith('upstash-local-'))!),
  };

  const consumer = join(work, 'shop');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify({ name: 'shop', private: true, type: 'module' }, null, 2)}\n`,
  );
  const readme = readFileSync(join(ROOT, 'packages/guardrails/README.md'), 'utf8');
  for (const command of readmeInstallCommands(readme)) {
    const args = command
      .split(/\s+/)
      .slice(1)
      .map((arg) => (arg === 'trpc-guardrails' ? tarballs.guardrails : arg));
    run('npm', args, consumer);
  }
  // Tools the README runs the quick start with (npx would fetch them on the fly).
  run('npm', ['i', '-D', 'typescript@5.9', 'tsx@4', '@types/node@20'], consumer);
  writeFileSync(join(consumer, 'server.ts'), codeBlock(readme, '// server.ts'));
  writeFileSync(join(consumer, 'client.ts'), codeBlock(readme, '// client.ts'));
  project.provide('consumer', consumer);
  project.provide('tarballs', tarballs);
}
