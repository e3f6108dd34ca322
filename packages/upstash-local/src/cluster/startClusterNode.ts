import { findFreePort } from '../redis/findFreePort.js';
import { type RedisServer, startRedisServer } from '../redis/startRedisServer.js';

/**
 * One in-memory redis-server with `--cluster-enabled yes` on free loopback ports (client and
 * bus), under the upstash-local watchdog; not yet part of any cluster.
 */
export async function startClusterNode(nodeTimeoutMs: number): Promise<RedisServer> {
  let lastError: unknown;
  // The bus port is probed separately from the client port; a clash is rare and worth a retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const busPort = await findFreePort('127.0.0.1');
    try {
      return await startRedisServer({
        args: [
          ...['--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
          ...['--cluster-node-timeout', String(nodeTimeoutMs)],
          // Promote a replica however long it was cut off, and start replicating at once.
          ...['--cluster-replica-validity-factor', '0', '--repl-diskless-sync-delay', '0'],
          ...['--appendonly', 'no', '--save', ''],
        ],
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
