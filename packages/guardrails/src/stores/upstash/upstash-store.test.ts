import { describe, expect, it } from 'vitest';
import { describeStore } from '../../store-contract/describe-store.js';
import { gatewayForThisFile } from '../../testing/gateway.js';
import { REDIS_SCRIPTS, UPSTASH_SCRIPTS } from '../lua/registry.js';
import { upstashStore } from './upstash-store.js';

describe('upstashStore', () => {
  const { fixture, redis } = gatewayForThisFile();
  describeStore('upstash (real redis-server behind upstash-local)', () => fixture());
  // The README's tip for a client of the store's own: replies as plain JSON, not base64.
  describeStore('upstash, a client with responseEncoding: false', () => ({
    store: upstashStore(redis({ responseEncoding: false })),
    sibling: () => upstashStore(redis({ responseEncoding: false })),
  }));

  it('has a precomputed SHA for every script that equals what SCRIPT LOAD returns', async () => {
    const client = redis();
    for (const script of [...Object.values(UPSTASH_SCRIPTS), ...Object.values(REDIS_SCRIPTS)]) {
      expect(await client.scriptLoad(script.script), script.name).toBe(script.sha1);
    }
  });

  it('works with automatic deserialization off and on, auto-pipelining off, and replies not in base64', async () => {
    for (const options of [
      { automaticDeserialization: false },
      { enableAutoPipelining: false },
      { responseEncoding: false },
    ]) {
      const store = upstashStore(redis(options as never));
      const key = `ser${Math.random()}:idem:{k}`;
      const claimId = crypto.randomUUID();
      await store.check({
        limits: [],
        claim: {
          key,
          fingerprint: '123',
          claimId,
          leaseMs: 1000,
          ttlMs: 5000,
          graceMs: 50,
          deadline: Date.now() + 5000,
        },
      });
      const outcome = { kind: 'result', payload: '{"json":[1,"2","€ ünï 😀"]}' } as const;
      await store.complete({ key, claimId, outcome, ttlMs: 5000 });
      const replay = await store.check({
        limits: [],
        claim: {
          key,
          fingerprint: '123',
          claimId: 'x',
          leaseMs: 1000,
          ttlMs: 5000,
          graceMs: 50,
          deadline: Date.now() + 5000,
        },
      });
      expect(replay.claim).toMatchObject({ status: 'completed', outcome });
    }
  });

  it('rejects a value that is not an @upstash/redis client, saying what to pass', () => {
    expect(() => upstashStore({} as never)).toThrow(/upstashStore\(\) needs an @upstash\/redis client/);
  });
});
