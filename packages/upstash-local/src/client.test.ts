import { createHash } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedisPrefix } from './createTestRedisPrefix.js';
import { startUpstashLocal } from './startUpstashLocal.js';
import { postJson } from './testing/postJson.js';
import type { UpstashLocal } from './UpstashLocal.js';

let local: UpstashLocal;
let redis: Redis;
const prefix = createTestRedisPrefix();
const k = (name: string) => `${prefix}${name}`;

beforeAll(async () => {
  local = await startUpstashLocal();
  // Auto-pipelining off: these tests exercise the single-command endpoint.
  redis = new Redis({ url: local.url, token: local.token, enableAutoPipelining: false });
});
afterAll(() => local.stop());

describe('the real @upstash/redis client', () => {
  it('sets and gets strings, numbers and JSON objects', async () => {
    expect(await redis.set(k('s'), 'hello')).toBe('OK');
    expect(await redis.get(k('s'))).toBe('hello');
    await redis.set(k('n'), 42);
    expect(await redis.get(k('n'))).toBe(42);
    expect(await redis.incrby(k('n'), 8)).toBe(50);
    await redis.set(k('o'), { name: 'Ada', tags: ['x', 'y'], nested: { ok: true } });
    expect(await redis.get(k('o'))).toEqual({ name: 'Ada', tags: ['x', 'y'], nested: { ok: true } });
    expect(await redis.get(k('missing'))).toBeNull();
  });

  it('keeps a string that looks like base64 intact', async () => {
    await redis.set(k('b64'), 'aGVsbG8=');
    expect(await redis.get(k('b64'))).toBe('aGVsbG8=');
  });

  it('round-trips unicode', async () => {
    const text = 'héllo — 日本語 🚀 "quotes" \\ back\nline';
    await redis.set(k('u'), text);
    expect(await redis.get(k('u'))).toBe(text);
    expect(await redis.strlen(k('u'))).toBe(Buffer.byteLength(text));
  });

  it('handles hashes', async () => {
    await redis.hset(k('h'), { a: 'one', b: 2 });
    expect(await redis.hgetall(k('h'))).toEqual({ a: 'one', b: 2 });
    expect(await redis.hget(k('h'), 'a')).toBe('one');
  });

  it('runs a pipeline in one request', async () => {
    local.resetStats();
    const results = await redis.pipeline().set(k('p'), 1).incr(k('p')).get(k('p')).exec();
    expect(results).toEqual(['OK', 2, 2]);
    expect(local.stats()).toMatchObject({ requests: 1, pipelines: 1, commands: 3 });
  });

  it('keeps neighbours of a failing pipeline command (keepErrors)', async () => {
    await redis.set(k('str'), 'text');
    const results = await redis.pipeline().incr(k('str')).set(k('after'), 'ok').exec({ keepErrors: true });
    expect(results[0]?.error).toMatch(/not an integer/);
    expect(results[1]).toEqual({ error: undefined, result: 'OK' });
    expect(await redis.get(k('after'))).toBe('ok');
  });

  it('runs multi/exec atomically', async () => {
    local.resetStats();
    const results = await redis.multi().set(k('m'), 10).incr(k('m')).get(k('m')).exec();
    expect(results).toEqual(['OK', 11, 11]);
    expect(local.stats()).toMatchObject({ requests: 1, transactions: 1, commands: 3 });
  });

  it('auto-pipelines commands issued in one tick into one request', async () => {
    const auto = new Redis({ url: local.url, token: local.token, enableAutoPipelining: true });
    local.resetStats();
    const results = await Promise.all([
      auto.set(k('a1'), 'x'),
      auto.incr(k('a2')),
      auto.hset(k('a3'), { f: 1 }),
    ]);
    expect(results).toEqual(['OK', 1, 1]);
    expect(local.stats()).toMatchObject({ requests: 1, pipelines: 1, commands: 3 });
  });

  it('runs eval and evalsha of a script with Upstash-only flags', async () => {
    const script =
      '#!lua flags=allow-key-locking\nredis.call("SET", KEYS[1], ARGV[1])\nreturn redis.call("GET", KEYS[1])';
    expect(await redis.eval(script, [k('lua')], ['v1'])).toBe('v1');
    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(createHash('sha1').update(script).digest('hex'));
    expect(await redis.evalsha(sha, [k('lua')], ['v2'])).toBe('v2');
    expect(await redis.scriptExists(sha)).toEqual([1]);
  });

  it('re-sends a rewritten script transparently after SCRIPT FLUSH', async () => {
    const script = '#!lua flags=allow-key-locking\nreturn ARGV[1]';
    const sha = await redis.scriptLoad(script);
    await postJson(local.url, ['SCRIPT', 'FLUSH'], { token: local.token });
    expect(await redis.evalsha(sha, [], ['back'])).toBe('back');
    const multi = await redis.multi().evalsha(sha, [], ['in-multi']).exec();
    expect(multi).toEqual(['in-multi']);
  });

  it('surfaces a failing command as an error', async () => {
    await expect(redis.incr(k('str'))).rejects.toThrow(/not an integer/);
  });
});
