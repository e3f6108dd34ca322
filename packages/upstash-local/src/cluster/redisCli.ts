import { execFile } from 'node:child_process';

/**
 * Runs one `redis-cli` command against `127.0.0.1:port` and resolves to its raw output (`\r\n`
 * stripped to `\n`); an error reply rejects. Test helpers talk to Redis through redis-cli rather
 * than through the clients under test, so a bug in a client cannot hide in the fixture.
 *
 * @example
 * const info = await redisCli(7000, 'CLUSTER', 'INFO');
 */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  // -e: an error reply fails the command (exit code 1) instead of being printed as output.
  return runRedisCli(['-e', '-h', '127.0.0.1', '-p', String(port), ...args]);
}

/** Runs `redis-cli` with these arguments, e.g. `['--cluster', 'create', ...]`. */
export function runRedisCli(args: readonly string[], timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (!error) {
        resolve(stdout.replace(/\r\n/g, '\n'));
        return;
      }
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const message = missing
        ? '[upstash-local] redis-cli is not on PATH; install it (Debian/Ubuntu: `apt-get install -y redis-tools`)'
        : `redis-cli ${args.join(' ')} failed: ${stderr || stdout || error.message}`;
      reject(new Error(message, { cause: error }));
    });
  });
}

/** `CLUSTER INFO` (or `INFO`) as field → value. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** Polls `check` every 50 ms until it returns true, failing with `what` after `timeoutMs`. */
export async function pollUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
