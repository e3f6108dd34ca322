import { Redis } from '@upstash/redis';
import { startUpstashLocal, type UpstashLocal } from 'upstash-local';
import { afterAll, beforeAll } from 'vitest';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { upstashStore } from '../stores/upstash/upstash-store.js';

/**
 * Starts a private upstash-local gateway (real redis-server) for one test file, so that its
 * request counters count only this file's traffic.
 */
export function gatewayForThisFile(options: { latencyMs?: number } = {}) {
  let gateway: UpstashLocal | undefined;
  beforeAll(async () => {
    gateway = await startUpstashLocal(options);
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
  });
  const get = (): UpstashLocal => {
    if (!gateway) throw new Error('the gateway is not started yet; use it inside tests');
    return gateway;
  };
  /** A real `@upstash/redis` client on the gateway; each call is a separate client (instance). */
  const redis = (extra: { enableAutoPipelining?: boolean; responseEncoding?: false | 'base64' } = {}) =>
    new Redis({ url: get().url, token: get().token, retry: false, ...extra });
  const fixture = (): StoreFixture => ({
    store: upstashStore(redis()),
    sibling: () => upstashStore(redis()),
  });
  return { gateway: get, redis, fixture };
}
