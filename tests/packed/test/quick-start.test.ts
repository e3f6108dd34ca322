import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, inject, it } from 'vitest';

let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill();
});

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('runs as the README says: one charge for a double click, then the user limit', async () => {
  const cwd = inject('consumer');
  if (await portInUse(3000)) throw new Error('port 3000 is taken; the README quick start listens on it');
  const tsx = join(cwd, 'node_modules/.bin/tsx');
  server = spawn(tsx, ['server.ts'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on http://localhost:3000')) resolve();
    });
    server!.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server!.once('exit', (code) => reject(new Error(`server.ts exited with ${code}: ${output}`)));
  });
  const { stdout } = await promisify(execFile)(tsx, ['client.ts'], { cwd });
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toBe('true true');
  expect(
    lines.filter((line) => line.startsWith('Rate limit exceeded for "user": retry in')).length,
  ).toBeGreaterThan(0);
});
