import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findFreePort } from './findFreePort.js';
import { trackRedisPid } from './liveServers.js';
import { waitForRedis } from './waitForRedis.js';
import { WATCHDOG_SOURCE } from './watchdogSource.js';

/** A running redis-server owned by this process. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  /** The loopback port it listens on. */
  port: number;
  /** pid of redis-server itself (not of its watchdog). */
  pid: number;
  /** Stops redis-server and waits until it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /**
   * Path or name (looked up on PATH) of the redis-server binary.
   * @default 'redis-server'
   */
  binary?: string;
  /**
   * More redis-server arguments, after ours so they can override them, e.g.
   * `['--cluster-enabled', 'yes', '--cluster-node-timeout', '1000']`.
   * @default []
   */
  args?: readonly string[];
}

const INSTALL_HINT =
  'Install it (Debian/Ubuntu: `apt-get install -y redis-server`, macOS: `brew install redis`) ' +
  'or pass redisUrl (CLI: --redis-url) to use a Redis you already run.';

/**
 * Starts an in-memory redis-server (no RDB, no AOF, own temp dir) on a free loopback port,
 * under a watchdog so it never outlives this process, and resolves once it answers PING.
 * Killing redis-server itself (say SIGKILL, to test a crash) is fine: the watchdog then exits too.
 *
 * @example
 * const redis = await startRedisServer();
 * console.log(redis.url); // redis://127.0.0.1:41234
 * await redis.stop();
 * @example
 * // A node of a Redis Cluster (join it with `redis-cli --cluster create`)
 * const node = await startRedisServer({ args: ['--cluster-enabled', 'yes'] });
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  const { binary = 'redis-server', args = [] } = options;
  let lastError: unknown;
  // The free port can be taken between probing and binding; a couple of retries settle that race.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, args);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw lastError;
}

class PortTakenError extends Error {}

async function startOnce(binary: string, extraArgs: readonly string[]): Promise<RedisServer> {
  const port = await findFreePort('127.0.0.1');
  const dir = await mkdtemp(join(tmpdir(), 'upstash-local-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', '--logfile', '', ...extraArgs);

  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, binary, dir, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group: a Ctrl-C in the terminal reaches only our process, which then stops Redis in order.
    detached: true,
  });
  const output: string[] = [];
  watchdog.stderr?.setEncoding('utf8').on('data', (text: string) => {
    output.push(text);
    if (output.length > 50) output.shift();
  });
  const exited = new Promise<never>((_, reject) => {
    watchdog.once('exit', (code, signal) => {
      const said = output.join('').trim();
      const message = `[upstash-local] redis-server exited during startup (code ${code ?? signal}).${said ? `\nIts output:\n${said}` : ''}`;
      reject(/address already in use/i.test(said) ? new PortTakenError(message) : new Error(message));
    });
  });
  exited.catch(() => {});

  try {
    const pid = await readPid(watchdog, binary, exited);
    await waitForRedis({ host: '127.0.0.1', port }, exited);
    return ownServer(watchdog, pid, port);
  } catch (error) {
    watchdog.kill('SIGTERM');
    throw error;
  }
}

async function readPid(watchdog: ChildProcess, binary: string, exited: Promise<never>): Promise<number> {
  const lines = createInterface({ input: watchdog.stdout! });
  const line = await new Promise<string | undefined>((resolve) => {
    lines.once('line', resolve);
    lines.once('close', () => resolve(undefined));
  });
  lines.close();
  // No line at all: the watchdog died before spawning; its exit error carries the details.
  if (line === undefined) return exited;
  const message = JSON.parse(line) as { pid?: number; error?: string };
  if (message.error === 'ENOENT') {
    throw new Error(
      `[upstash-local] Cannot find redis-server ("${binary}" is not on PATH or does not exist). ${INSTALL_HINT}`,
    );
  }
  if (message.pid === undefined) {
    throw new Error(
      `[upstash-local] Could not start redis-server "${binary}" (${message.error}). ${INSTALL_HINT}`,
    );
  }
  return message.pid;
}

function ownServer(watchdog: ChildProcess, pid: number, port: number): RedisServer {
  const untrack = trackRedisPid(pid);
  const gone = new Promise<void>((resolve) => {
    if (watchdog.exitCode !== null || watchdog.signalCode !== null) resolve();
    else watchdog.once('exit', () => resolve());
  });
  gone.then(untrack);
  // Do not keep the event loop alive for the child: the HTTP server decides when the process may exit.
  watchdog.unref();
  for (const stream of [watchdog.stdin, watchdog.stdout, watchdog.stderr])
    (stream as Socket | null)?.unref?.();

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    stop: async () => {
      // Closing the pipe is the same signal a crash gives; the watchdog stops Redis and cleans up.
      // ref() again so the event loop waits for that exit instead of ending under an awaited stop().
      watchdog.ref();
      watchdog.stdin?.end();
      await gone;
    },
  };
}
