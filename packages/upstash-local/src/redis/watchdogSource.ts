/**
 * Source of the watchdog process, run as `node -e WATCHDOG_SOURCE <redis-server> <tempDir> ...args`.
 *
 * Why a watchdog: redis-server cannot notice that the process which started it died, so a
 * SIGKILLed test runner would leave it running. The watchdog owns redis-server and holds a pipe
 * from the parent on stdin; the kernel closes that pipe however the parent dies, and the watchdog
 * then stops redis-server and deletes its temp dir. It is inline source rather than a file so it
 * works the same from `src` (vitest) and from `dist`.
 *
 * Protocol on stdout: one JSON line, `{"pid":N}` once redis-server is spawned or `{"error":"ENOENT"}`.
 * redis-server's own output goes to stderr, for error messages.
 */
export const WATCHDOG_SOURCE = `
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const [binary, tempDir, ...args] = process.argv.slice(1);
const redis = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
const cleanup = () => { try { rmSync(tempDir, { recursive: true, force: true }); } catch {} };
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  try { redis.kill('SIGTERM'); } catch {}
  setTimeout(() => { try { redis.kill('SIGKILL'); } catch {} }, 2000).unref();
};
redis.on('spawn', () => process.stdout.write(JSON.stringify({ pid: redis.pid }) + '\\n'));
redis.on('error', (error) => {
  process.stdout.write(JSON.stringify({ error: error.code || error.message }) + '\\n');
  cleanup();
  process.exit(127);
});
redis.stdout.pipe(process.stderr);
redis.stderr.pipe(process.stderr);
// Once the parent is gone, writing to its pipes fails with EPIPE; that must not kill us before cleanup.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
redis.on('exit', (code) => { cleanup(); process.exit(code ?? 0); });
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
`;
