/** Where and how to connect to Redis, taken from a `redis://` URL. */
export interface RedisAddress {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
}

/**
 * Parses `redis://[[user]:password@]host[:port][/db]`.
 *
 * @example
 * parseRedisUrl('redis://:secret@127.0.0.1:6380/2'); // { host: '127.0.0.1', port: 6380, password: 'secret', db: 2 }
 */
export function parseRedisUrl(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`[upstash-local] redisUrl "${url}" is not a URL; use the form redis://127.0.0.1:6379.`);
  }
  if (parsed.protocol !== 'redis:') {
    throw new Error(
      `[upstash-local] redisUrl "${url}" uses ${parsed.protocol} but only redis:// (plain TCP) is supported.`,
    );
  }
  const address: RedisAddress = {
    // URL keeps the brackets of an IPv6 literal; net.connect wants them gone.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.username) address.username = decodeURIComponent(parsed.username);
  if (parsed.password) address.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db) {
    if (!/^\d+$/.test(db)) {
      throw new Error(`[upstash-local] redisUrl "${url}" names database "${db}"; use a number such as /0.`);
    }
    address.db = Number(db);
  }
  return address;
}
