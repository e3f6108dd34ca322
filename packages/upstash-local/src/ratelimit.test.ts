import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedisPrefix } from './createTestRedisPrefix.js';
import { startUpstashLocal } from './startUpstashLocal.js';
import type { UpstashLocal } from './UpstashLocal.js';

let local: UpstashLocal;
let redis: Redis;

beforeAll(async () => {
  local = await startUpstashLocal();
  redis = new Redis({ url: local.url, token: local.token });
});
afterAll(() => local.stop());

const algorithms = {
  slidingWindow: () => Ratelimit.slidingWindow(3, '1 h'),
  fixedWindow: () => Ratelimit.fixedWindow(3, '1 h'),
  tokenBucket: () => Ratelimit.tokenBucket(1, '1 m', 3),
};

describe.each(Object.entries(algorithms))('@upstash/ratelimit %s', (_name, limiter) => {
  const create = () =>
    new Ratelimit({ redis, limiter: limiter(), ephemeralCache: false, prefix: createTestRedisPrefix('rl') });

  it('allows exactly the limit, then denies', async () => {
    const ratelimit = create();
    const outcomes: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const { success, pending } = await ratelimit.limit('user-1');
      await pending;
      outcomes.push(success);
    }
    expect(outcomes).toEqual([true, true, true, false, false]);
    // Another identifier has its own budget.
    expect((await ratelimit.limit('user-2')).success).toBe(true);
  });

  it('costs exactly one HTTP request per limit() once warm', async () => {
    const ratelimit = create();
    await (await ratelimit.limit('warm-up')).pending; // first use loads the script (EVALSHA miss + EVAL)
    local.resetStats();
    const { success, pending } = await ratelimit.limit('steady');
    await pending;
    expect(success).toBe(true);
    expect(local.stats()).toMatchObject({ requests: 1, errors: 0 });
  });
});
