import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/** Packages whose versions the doc names: the library's stack and every peer it is compared with. */
const PACKAGES = [
  '@trpc/server',
  '@trpc/client',
  '@upstash/redis',
  '@upstash/ratelimit',
  'superjson',
  'zod',
  'ioredis',
  '@node-idempotency/core',
  '@node-idempotency/storage-adapter-redis',
  'autocannon',
  'vitest',
];

function version(packageRoot: string, name: string): string {
  try {
    const file = join(packageRoot, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Lines for the top of `docs/benchmarks.md`: where and with what the figures were taken. */
export function describeMachine(packageRoot: string): string[] {
  const cores = cpus();
  const commit = run('git', ['rev-parse', '--short', 'HEAD'], packageRoot);
  const dirty = run('git', ['status', '--porcelain', '--', '.'], packageRoot) !== '';
  const redis = run('redis-server', ['--version'], packageRoot).match(/v=(\S+)/)?.[1] ?? 'unknown';
  const [load1] = loadavg();
  return [
    `- machine: ${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}; load average ${load1?.toFixed(2)} when the run ended (other work shares these cores)`,
    `- Node ${process.version}, redis-server ${redis}, commit ${commit}${dirty ? ' with uncommitted changes in packages/guardrails' : ''}`,
    `- ${PACKAGES.map((name) => `${name} ${version(packageRoot, name)}`).join(', ')}`,
    '- idempotency-redis: not in the npm registry (`npm view idempotency-redis` answers 404), so its row is marked and empty',
  ];
}
