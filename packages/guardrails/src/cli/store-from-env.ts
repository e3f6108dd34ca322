import { redisStore } from '../stores/redis/redis-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { upstashStore } from '../stores/upstash/upstash-store.js';
import { UsageError } from './usage-error.js';

/** The store the environment names, with what closes its connection. */
export interface EnvStore {
  store: GuardrailsStore;
  describe: string;
  close(): Promise<void>;
}

/**
 * `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN` (the Upstash store, over `@upstash/redis`),
 * else `REDIS_URL` (the Redis store, over `ioredis`, else `redis`) — the clients the app already
 * has installed, loaded only when needed.
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv): Promise<EnvStore> {
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token, REDIS_URL: redisUrl } = env;
  if (url && token) {
    const { Redis } = await importPeer<typeof import('@upstash/redis')>('@upstash/redis');
    return {
      store: upstashStore(new Redis({ url, token })),
      describe: `Upstash ${url}`,
      close: async () => {},
    };
  }
  if (redisUrl) {
    const ioredis = await importPeer<typeof import('ioredis')>('ioredis').catch(() => undefined);
    if (ioredis) {
      const client = new ioredis.Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5_000 });
      return {
        store: redisStore(client),
        describe: `Redis ${redactUrl(redisUrl)} (ioredis)`,
        close: async () => void client.disconnect(),
      };
    }
    const { createClient } = await importPeer<typeof import('redis')>('redis');
    const client = createClient({ url: redisUrl, disableOfflineQueue: true });
    await client.connect();
    return {
      store: redisStore(client),
      describe: `Redis ${redactUrl(redisUrl)} (node-redis)`,
      close: async () => void client.destroy(),
    };
  }
  throw new UsageError(
    'no store: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (Upstash), or REDIS_URL (Redis over TCP)',
  );
}

async function importPeer<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch {
    throw new UsageError(`${name} is not installed here; install it (npm i ${name}) where you run the CLI`);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
