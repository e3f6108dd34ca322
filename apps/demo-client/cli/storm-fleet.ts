import { randomUUID } from 'node:crypto';
import { startRedisServer } from 'upstash-local';
import { startRedisCluster } from 'upstash-local/cluster';
import { type DemoServerProcess, spawnDemoServer } from './demo-server-process.js';

/** Demo servers the storm started itself, on a Redis of their own. */
export interface StormFleet {
  urls: string[];
  /** One line: the servers and the Redis they share. */
  description: string;
  /** Ports of the redis-servers (all gone after `stop()`). */
  redisPorts: number[];
  /** Stops the servers (gracefully), then Redis. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a private Redis — one redis-server, or with `cluster` a Redis Cluster of 3 masters + 3
 * replicas — and `servers` demo-server processes on it (`REDIS_URL` / `REDIS_CLUSTER_NODES`, so
 * each uses `redisStore` with ioredis), trusting loopback as a proxy so every storm shopper keeps
 * its own IP. With `otel`, the servers record OpenTelemetry (`DEMO_OTEL=1`). The redis-servers
 * run under the upstash-local watchdog: none outlives this process.
 */
export async function startStormFleet(options: {
  servers: number;
  cluster: boolean;
  otel?: boolean;
}): Promise<StormFleet> {
  const redis = options.cluster ? await startRedisCluster() : await startRedisServer();
  const redisPorts = 'nodes' in redis ? redis.nodes.map((node) => node.port) : [redis.port];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    DEMO_STORE: 'redis',
    DEMO_PREFIX: `storm-${randomUUID().slice(0, 8)}`,
    DEMO_TRUST_PROXY: 'loopback',
    ...(options.otel && { DEMO_OTEL: '1' }),
    ...('nodes' in redis
      ? { REDIS_CLUSTER_NODES: redis.seeds.map(({ host, port }) => `${host}:${port}`).join(',') }
      : { REDIS_URL: redis.url }),
  };
  const started = await Promise.allSettled(
    Array.from({ length: options.servers }, () => spawnDemoServer(env)),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(servers.map((server: DemoServerProcess) => server.stop()));
      await redis.stop();
    })());
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const where = options.cluster
    ? `a Redis Cluster of 3 masters + 3 replicas (ports ${redisPorts.join(', ')})`
    : `one redis-server (port ${redisPorts[0]})`;
  return {
    urls: servers.map((server) => server.url),
    description: `${servers.length} demo-server process(es) on ${where}; store: ${servers[0]!.store}`,
    redisPorts,
    stop,
  };
}
