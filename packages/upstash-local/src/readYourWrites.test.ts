import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedisPrefix } from './createTestRedisPrefix.js';
import { startUpstashLocal } from './startUpstashLocal.js';
import { postJson } from './testing/postJson.js';
import type { UpstashLocal } from './UpstashLocal.js';

let local: UpstashLocal;
const prefix = createTestRedisPrefix('ryw');
const k = (name: string) => `${prefix}${name}`;

beforeAll(async () => {
  local = await startUpstashLocal();
});
afterAll(() => local.stop());

describe('upstash-sync-token with the real client', () => {
  it('advances on every request that wrote, and only then', async () => {
    const redis = new Redis({ url: local.url, token: local.token, enableAutoPipelining: false });
    const token = () => Number(redis.readYourWritesSyncToken);
    expect(redis.readYourWritesSyncToken).toBe('');

    await redis.get(k('a')); // a read before any write gets the current token, not a new one
    const start = token();
    await redis.set(k('a'), 1);
    expect(token()).toBe(start + 1);
    await redis.get(k('a'));
    await redis.exists(k('a'));
    await redis.pipeline().get(k('a')).ttl(k('a')).mget(k('a'), k('b')).exec();
    await redis.evalRo('return 1', [], []);
    await redis.pfcount(k('hll')); // flagged readonly, though Redis may rewrite the key's encoding
    expect(token()).toBe(start + 1);

    await redis.pipeline().get(k('a')).incr(k('a')).get(k('a')).exec(); // one write is enough
    expect(token()).toBe(start + 2);
    await redis.multi().get(k('a')).set(k('b'), 2).exec();
    expect(token()).toBe(start + 3);
    await redis.eval('return redis.call("INCR", KEYS[1])', [k('a')], []); // EVAL may write
    expect(token()).toBe(start + 4);
    await redis.scriptLoad('return 2'); // later EVALSHA calls depend on it
    expect(token()).toBe(start + 5);
    await redis.multi().get(k('a')).exists(k('b')).exec();
    expect(token()).toBe(start + 5);
  });

  it('shares one sequence between clients, so a token never goes back', async () => {
    const first = new Redis({ url: local.url, token: local.token, enableAutoPipelining: false });
    const second = new Redis({ url: local.url, token: local.token, enableAutoPipelining: false });
    await first.set(k('shared'), 'x');
    const afterFirst = Number(first.readYourWritesSyncToken);
    await second.set(k('shared'), 'y');
    expect(Number(second.readYourWritesSyncToken)).toBe(afterFirst + 1);
    // A read reports the latest state it saw, which includes the other client's write.
    expect(await first.get(k('shared'))).toBe('y');
    expect(Number(first.readYourWritesSyncToken)).toBe(afterFirst + 1);
  });

  it('honours a token it issued and ignores one it did not', async () => {
    const write = await postJson(local.url, ['SET', k('raw'), 'v'], { token: local.token });
    const issued = write.headers.get('upstash-sync-token')!;
    const read = await postJson(local.url, ['GET', k('raw')], {
      token: local.token,
      headers: { 'upstash-sync-token': issued },
    });
    expect(read.json).toEqual({ result: 'v' });
    expect(read.headers.get('upstash-sync-token')).toBe(issued);
    const foreign = await postJson(local.url, ['GET', k('raw')], {
      token: local.token,
      headers: { 'upstash-sync-token': 'from-another-database' },
    });
    expect(foreign.json).toEqual({ result: 'v' });
    expect(foreign.headers.get('upstash-sync-token')).toBe(issued);
  });

  it('counts refused commands and aborted transactions as no write', async () => {
    const before = (await postJson(local.url, ['PING'], { token: local.token })).headers.get(
      'upstash-sync-token',
    );
    const refused = await postJson(local.url, [['BLPOP', k('q'), '0']], {
      token: local.token,
      path: '/pipeline',
    });
    expect(refused.json[0].error).toMatch(/timeout 0/);
    expect(refused.headers.get('upstash-sync-token')).toBe(before);
    const aborted = await postJson(
      local.url,
      [
        ['SET', k('never')],
        ['GET', k('x')],
      ],
      {
        token: local.token,
        path: '/multi-exec',
      },
    );
    expect(aborted.status).toBe(400);
    expect(aborted.headers.get('upstash-sync-token')).toBe(before);
  });
});
