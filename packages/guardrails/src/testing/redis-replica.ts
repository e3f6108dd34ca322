import { type RedisServer, startRedisServer } from 'upstash-local';
import { parseInfo, redisCli } from 'upstash-local/cluster';

/**
 * Starts a redis-server replicating the one on `masterPort` (under the upstash-local watchdog,
 * like any other) and resolves once the master counts it as an online replica.
 *
 * @example
 * const replica = await startReplica(master.port);
 */
export async function startReplica(masterPort: number, timeoutMs = 10_000): Promise<RedisServer> {
  // Redis 7 waits 5 s for more replicas before a diskless full sync; one is all there is.
  await redisCli(masterPort, 'CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(masterPort)] });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = parseInfo(await redisCli(masterPort, 'INFO', 'replication'));
    if (Object.entries(info).some(([field, value]) => /^slave\d+$/.test(field) && value.includes('online')))
      return replica;
    if (Date.now() > deadline) {
      await replica.stop();
      throw new Error(`the replica of ${masterPort} did not come online within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
