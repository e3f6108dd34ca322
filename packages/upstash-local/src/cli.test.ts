import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitForExit } from './testing/isProcessAlive.js';
import { postJson } from './testing/postJson.js';

// The CLI is tested as shipped: the package's pretest script builds dist first.
const cli = fileURLToPath(new URL('../bin/upstash-local.js', import.meta.url));
const children: ChildProcess[] = [];

beforeAll(() => {
  expect(
    existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url))),
    'run `pnpm build` first',
  ).toBe(true);
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function run(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

/** Waits for the .env lines and the description line, returning what they say. */
async function started(proc: ReturnType<typeof run>) {
  const env: Record<string, string> = {};
  for await (const line of createInterface({ input: proc.child.stdout! })) {
    const [key, value] = line.split('=') as [string, string];
    env[key] = value;
    if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) break;
  }
  while (!/pid (\d+)/.test(proc.stderr())) await new Promise((r) => setTimeout(r, 10));
  return {
    url: env.UPSTASH_REDIS_REST_URL!,
    token: env.UPSTASH_REDIS_REST_TOKEN!,
    pid: Number(/pid (\d+)/.exec(proc.stderr())![1]),
  };
}

describe('upstash-local CLI', () => {
  it('prints help', async () => {
    const proc = run(['--help']);
    expect(await proc.exited).toBe(0);
    expect(proc.stdout()).toMatch(/^Usage: upstash-local/);
    expect(proc.stdout()).toMatch(/--redis-url URL/);
  });

  it('rejects bad numbers and unknown flags with exit code 2', async () => {
    const badPort = run(['--port', 'abc']);
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr()).toMatch(
      /\[upstash-local\] --port must be a whole number from 0 to 65535, got "abc"/,
    );
    const unknown = run(['--nope']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toMatch(/\[upstash-local\] .*--nope.*--help/);
  });

  it('prints .env lines, serves requests, and stops cleanly on SIGTERM', async () => {
    const proc = run(['--token', 'cli-token', '--latency-ms', '0']);
    const { url, token, pid } = await started(proc);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(token).toBe('cli-token');
    expect(await postJson(url, ['SET', 'k', 'v'], { token })).toMatchObject({
      status: 200,
      json: { result: 'OK' },
    });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(await waitForExit(pid, 3000)).toBe(true);
  });

  it('leaves no redis-server behind when SIGKILLed', async () => {
    const proc = run([]);
    const { pid } = await started(proc);
    proc.child.kill('SIGKILL');
    await proc.exited;
    expect(await waitForExit(pid, 5000)).toBe(true);
  });
});
