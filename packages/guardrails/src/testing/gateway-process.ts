import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** An upstash-local gateway in a process of its own, so a test can SIGSTOP or SIGKILL it. */
export interface GatewayProcess {
  url: string;
  token: string;
  /** The gateway's own process (SIGSTOP stops the HTTP side). */
  pid: number;
  /** Its redis-server (SIGSTOP stalls every command). */
  redisPid: number;
  stop(): Promise<void>;
}

/**
 * The gateway runs in a child that exits when its stdin closes, so it never outlives the test
 * runner, even one that is killed; its redis-server has upstash-local's own watchdog.
 */
const CHILD_SOURCE = `
import { startUpstashLocal } from 'upstash-local';
const local = await startUpstashLocal(JSON.parse(process.argv[1] ?? '{}'));
process.stdout.write(JSON.stringify({ url: local.url, token: local.token, redisPid: local.redisPid }) + '\\n');
process.stdin.on('end', () => local.stop().then(() => process.exit(0)));
process.stdin.resume();
`;

export async function startGatewayProcess(options: { bodyLimit?: number } = {}): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD_SOURCE, JSON.stringify(options)],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: new URL('../..', import.meta.url).pathname },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`the gateway process exited with ${code} before it started`)),
    );
  });
  const { url, token, redisPid } = JSON.parse(line) as { url: string; token: string; redisPid: number };
  return {
    url,
    token,
    pid: child.pid!,
    redisPid,
    async stop() {
      for (const pid of [child.pid!, redisPid]) signal(pid, 'SIGCONT');
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
