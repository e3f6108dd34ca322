import { Cluster, Redis } from 'ioredis';

/** A connected ioredis client, and one line saying what it is connected to. */
export interface RedisConnection {
  client: Redis | Cluster;
  description: string;
  close(): Promise<void>;
}

/**
 * What trpc-guardrails advises for ioredis: a dead Redis answers errors within about 2 s (then the
 * guard's `onStoreError`) instead of queueing commands for a minute.
 */
const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects ioredis to `REDIS_CLUSTER_NODES` (`host:port,host:port,…`: a Redis Cluster, any of its
 * nodes) or else `REDIS_URL` (`redis://[[user]:password@]host:port[/db]`, `rediss://` for TLS),
 * with fail-fast settings, and resolves once it answers PING.
 */
export async function connectRedis(env: NodeJS.ProcessEnv): Promise<RedisConnection> {
  const nodes = parseClusterNodes(env.REDIS_CLUSTER_NODES);
  const url = env.REDIS_URL;
  if (!nodes && !url) throw new Error('DEMO_STORE=redis needs REDIS_URL or REDIS_CLUSTER_NODES');
  const client = nodes
    ? new Cluster(nodes, { redisOptions: { commandTimeout: COMMAND_TIMEOUT_MS } })
    : new Redis(url!, { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
  const where = nodes
    ? `Redis Cluster via ${nodes.map(({ host, port }) => `${host}:${port}`).join(',')}`
    : `Redis at ${withoutPassword(url!)}`;
  let lastError: Error | undefined;
  // Failing calls report errors themselves (store-error lines); keep the last for start-up.
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await withTimeout(client.ping(), CONNECT_TIMEOUT_MS, () => lastError);
  } catch (error) {
    client.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`[demo-server] cannot reach the ${where}: ${reason}`, { cause: error });
  }
  return {
    client,
    description: `${where} (ioredis, fail-fast: commandTimeout ${COMMAND_TIMEOUT_MS} ms)`,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** `host:port,host:port` → startup nodes; undefined when unset or empty. */
export function parseClusterNodes(value: string | undefined): { host: string; port: number }[] | undefined {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return undefined;
  return entries.map((entry) => {
    const match = /^(.+):(\d{1,5})$/.exec(entry);
    if (!match) throw new Error(`REDIS_CLUSTER_NODES: "${entry}" is not host:port`);
    return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
  });
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL (not a valid URL)';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, reason: () => Error | undefined): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms} ms${reason() ? ` (${reason()!.message})` : ''}`)),
      ms,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
