import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { UpstashLocalOptions } from '../UpstashLocalOptions.js';

/** A gateway in a process of its own, so that a test can stop (SIGSTOP) or kill it. */
export interface UpstashLocalProcess {
  url: string;
  token: string;
  /** The gateway's process: SIGSTOP stalls the HTTP side, SIGKILL loses it. */
  pid: number;
  /** Its redis-server: SIGSTOP stalls every command. */
  redisPid: number;
  /** Sends a signal to the gateway or its redis-server; a process that is gone is ignored. */
  signal(target: 'gateway' | 'redis', signal: NodeJS.Signals): void;
  /** Resumes both if stopped, then stops the gateway and its redis-server. */
  stop(): Promise<void>;
}

/**
 * Starts upstash-local in a child process, for fault-injection tests that pause or kill the
 * gateway or its redis-server. The child exits when this process does, however it exits.
 *
 * @example
 * const local = await startUpstashLocalProcess();
 * local.signal('redis', 'SIGSTOP'); // every command now waits
 * local.signal('redis', 'SIGCONT');
 * await local.stop();
 */
export async function startUpstashLocalProcess(
  options: Omit<UpstashLocalOptions, 'log'> = {},
): Promise<UpstashLocalProcess> {
  // The built entry, found from src/faults (tests) and dist/faults (the package) alike.
  const main = new URL('../../dist/faults/processMain.js', import.meta.url);
  const child: ChildProcess = spawn(process.execPath, [main.pathname, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`[upstash-local] the gateway process exited with ${code} before it started`)),
    );
  });
  const { url, token, redisPid } = JSON.parse(line) as { url: string; token: string; redisPid: number };
  const pid = child.pid!;
  const send = (target: number, name: NodeJS.Signals) => {
    try {
      process.kill(target, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  return {
    url,
    token,
    pid,
    redisPid,
    signal: (target, name) => send(target === 'gateway' ? pid : redisPid, name),
    async stop() {
      send(pid, 'SIGCONT');
      send(redisPid, 'SIGCONT');
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
