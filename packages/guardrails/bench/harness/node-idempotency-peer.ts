import { Idempotency } from '@node-idempotency/core';
import { RedisStorageAdapter } from '@node-idempotency/storage-adapter-redis';

/**
 * `@node-idempotency/core` with its Redis storage (node-redis over TCP), used as its README
 * shows: `onRequest` before the business logic (a stored response comes back), `onResponse`
 * after it. The key rides in the `idempotency-key` header; the body is the input.
 */
export async function nodeIdempotency(redisUrl: string, prefix: string) {
  const storage = new RedisStorageAdapter({ url: redisUrl });
  await storage.connect();
  const idempotency = new Idempotency(storage, { cacheKeyPrefix: prefix });
  return {
    async run<T>(
      path: string,
      input: { idempotencyKey: string } & Record<string, unknown>,
      work: () => Promise<T>,
    ) {
      const request = {
        method: 'POST',
        path,
        headers: { 'idempotency-key': input.idempotencyKey },
        body: input,
      };
      const stored = await idempotency.onRequest(request);
      if (stored) return stored.body as T;
      const body = await work();
      await idempotency.onResponse(request, { body });
      return body;
    },
    close: () => storage.disconnect(),
  };
}
