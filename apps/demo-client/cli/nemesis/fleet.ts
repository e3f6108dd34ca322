import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  type FaultProxy,
  startFaultProxy,
  startUpstashLocalProcess,
  type UpstashLocalProcess,
} from 'upstash-local/faults';
import { spawnDemoServer } from '../demo-server-process.js';

/** One JSON log line of a demo server (a guardrails event), with the server that wrote it. */
export interface ServerLogLine {
  server: number;
  msg?: string;
  outcome?: string;
  key?: string;
  owner?: string;
  takeover?: boolean;
  reason?: string;
  [field: string]: unknown;
}

/** A demo server process on a fixed port, reaching the store through its own fault proxy. */
export interface FleetServer {
  index: number;
  url: string;
  proxy: FaultProxy;
  /** Whether it is up (not killed); a paused server is up. */
  readonly alive: boolean;
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface Fleet {
  gateway: UpstashLocalProcess;
  servers: FleetServer[];
  /** Every guardrails event the servers logged. */
  log: ServerLogLine[];
  stop(): Promise<void>;
}

/**
 * Starts upstash-local in its own process and `count` demo servers (`demo-server/dist/main.js`),
 * each with its own fault proxy in front of the gateway, sharing one store under `prefix`.
 */
export async function startFleet(options: {
  count: number;
  prefix: string;
  leaseS: number;
  providerDelayMs?: number;
}): Promise<Fleet> {
  const gateway = await startUpstashLocalProcess();
  const log: ServerLogLine[] = [];
  const servers: FleetServer[] = [];
  try {
    for (let index = 0; index < options.count; index++) {
      const proxy = await startFaultProxy(gateway.url);
      const port = await freePort();
      const env = {
        ...process.env,
        PORT: String(port),
        DEMO_STORE: 'upstash',
        UPSTASH_REDIS_REST_URL: proxy.url,
        UPSTASH_REDIS_REST_TOKEN: gateway.token,
        DEMO_PREFIX: options.prefix,
        DEMO_LEASE: `${options.leaseS} s`,
        DEMO_PROVIDER_DELAY_MS: String(options.providerDelayMs ?? 300),
        // Every shopper is its own user; limits are not what this run is about.
        DEMO_USER_LIMIT: '100000',
        DEMO_IP_LIMIT: '100000',
      };
      servers.push(await managedServer(index, port, env, proxy, log));
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.kill()));
    await gateway.stop();
    throw error;
  }
  return {
    gateway,
    servers,
    log,
    async stop() {
      for (const server of servers) server.signal('SIGCONT');
      await Promise.all(servers.map((server) => server.kill()));
      await Promise.all(servers.map((server) => server.proxy.close()));
      await gateway.stop();
    },
  };
}

async function managedServer(
  index: number,
  port: number,
  env: NodeJS.ProcessEnv,
  proxy: FaultProxy,
  log: ServerLogLine[],
): Promise<FleetServer> {
  let child: ChildProcess | undefined;
  const start = async () => {
    ({ child } = await spawnDemoServer(env, (line) => log.push({ ...line, server: index })));
  };
  await start();
  return {
    index,
    url: `http://127.0.0.1:${port}`,
    proxy,
    get alive() {
      return child !== undefined;
    },
    signal(name) {
      if (child?.pid) process.kill(child.pid, name);
    },
    async kill() {
      const current = child;
      child = undefined;
      if (!current || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
    },
    restart: start,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
