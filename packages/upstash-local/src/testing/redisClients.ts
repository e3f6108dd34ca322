import { parseRedisUrl } from '../resp/parseRedisUrl.js';
import { RedisConnection } from '../resp/RedisConnection.js';

/** One line of `CLIENT LIST`, as field → value. */
export type RedisClientInfo = Record<string, string>;

/**
 * `CLIENT LIST` of the Redis behind a gateway, asked over a connection of its own (the gateway
 * refuses CLIENT), so tests can see which connections really exist.
 */
export async function redisClients(redisUrl: string): Promise<RedisClientInfo[]> {
  const conn = await RedisConnection.open(parseRedisUrl(redisUrl));
  try {
    const [list] = await conn.send([['CLIENT', 'LIST']]);
    return String(list)
      .trim()
      .split('\n')
      .map((line) =>
        Object.fromEntries(
          line
            .trim()
            .split(' ')
            .map((field) => field.split(/=(.*)/s, 2)),
        ),
      );
  } finally {
    conn.close();
  }
}

/** Connections in Pub/Sub mode: subscribed to at least one channel or pattern. */
export async function subscriberConnections(redisUrl: string): Promise<RedisClientInfo[]> {
  return (await redisClients(redisUrl)).filter(
    (client) => Number(client.sub ?? 0) > 0 || Number(client.psub ?? 0) > 0,
  );
}
