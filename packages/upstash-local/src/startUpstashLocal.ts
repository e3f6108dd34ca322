import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequestHandler } from './http/createRequestHandler.js';
import { createGatewayStats } from './http/GatewayStats.js';
import { SyncTokens } from './http/SyncTokens.js';
import { CommandExecutor } from './protocol/CommandExecutor.js';
import { WriteCommands } from './protocol/WriteCommands.js';
import { SubscriptionHub } from './pubsub/SubscriptionHub.js';
import { type RedisServer, startRedisServer } from './redis/startRedisServer.js';
import { parseRedisUrl } from './resp/parseRedisUrl.js';
import { RedisPool } from './resp/RedisPool.js';
import type { UpstashLocal } from './UpstashLocal.js';
import type { UpstashLocalOptions } from './UpstashLocalOptions.js';
import { validateOptions } from './validateOptions.js';

/**
 * Starts a redis-server (unless `redisUrl` is given) and an HTTP server speaking the Upstash REST
 * protocol in front of it, so `@upstash/redis` and `@upstash/ratelimit` work locally.
 *
 * @example
 * import { Redis } from '@upstash/redis';
 * const local = await startUpstashLocal();
 * const redis = new Redis({ url: local.url, token: local.token });
 * await redis.set('greeting', 'hello');
 * await local.stop();
 */
export async function startUpstashLocal(options: UpstashLocalOptions = {}): Promise<UpstashLocal> {
  validateOptions(options);
  const token = options.token ?? randomBytes(32).toString('hex');
  const host = options.host ?? '127.0.0.1';
  const redisServer = options.redisUrl ? undefined : await startRedisServer({ binary: options.redisServer });
  const redisUrl = options.redisUrl ?? redisServer!.url;
  const pool = new RedisPool(parseRedisUrl(redisUrl));
  let http: Server | undefined;
  try {
    // Also the first contact with Redis: a wrong redisUrl fails here, not at the first request.
    const writes = await WriteCommands.load(pool, options.log);
    const stats = createGatewayStats();
    const executor = new CommandExecutor(pool, stats, writes);
    const subscriptions = new SubscriptionHub(pool, options.subscriberBufferLimit ?? 1024 * 1024);
    const syncTokens = new SyncTokens();
    const handler = createRequestHandler({ ...options, token, executor, stats, syncTokens, subscriptions });
    http = createServer((req, res) => void handler(req, res));
    const port = await listen(http, options.port ?? 0, host);
    return gateway({
      http,
      pool,
      subscriptions,
      redisServer,
      stats,
      token,
      redisUrl,
      url: `http://${urlHost(host)}:${port}`,
    });
  } catch (error) {
    http?.close();
    pool.close();
    await redisServer?.stop();
    throw error;
  }
}

function gateway(parts: {
  http: Server;
  pool: RedisPool;
  subscriptions: SubscriptionHub;
  redisServer: RedisServer | undefined;
  stats: ReturnType<typeof createGatewayStats>;
  token: string;
  redisUrl: string;
  url: string;
}): UpstashLocal {
  const { http, pool, subscriptions, redisServer, stats } = parts;
  let stopping: Promise<void> | undefined;
  return {
    url: parts.url,
    token: parts.token,
    redisUrl: parts.redisUrl,
    redisPid: redisServer?.pid,
    stats: () => ({ ...stats }),
    resetStats: () => {
      Object.assign(stats, createGatewayStats());
    },
    subscriptions: () => subscriptions.stats(),
    stop: () => {
      stopping ??= (async () => {
        // Streams first: their clients get unsubscribe events and a clean end instead of a cut socket.
        subscriptions.stop();
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        // Keep-alive sockets (fetch keeps them) would hold close() open until they time out.
        http.closeAllConnections();
        await closed;
        pool.close();
        await redisServer?.stop();
      })();
      return stopping;
    },
  };
}

function listen(http: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `[upstash-local] Port ${port} on ${host} is already in use; pick another port or 0 for a free one.`,
            )
          : error,
      );
    });
    http.listen(port, host, () => {
      const address = http.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** The host part of the gateway URL: IPv6 needs brackets, and a wildcard bind is reached via loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
