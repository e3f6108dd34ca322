import { createHash } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { describe, expect, it } from 'vitest';
import { fixedWindow } from '../../rate-limit/algorithms.js';
import { gatewayForThisFile } from '../../testing/gateway.js';
import type { ScriptCall } from '../lua/script-store.js';
import type { CheckRequest } from '../types.js';
import { coalescingRunner } from './coalescing-runner.js';
import { upstashStore } from './upstash-store.js';

function script(source: string): ScriptCall['script'] {
  return { name: 'test', script: source, sha1: createHash('sha1').update(source).digest('hex') };
}

const ECHO = script('return ARGV[1]');
const INCR = script("return redis.call('INCR', KEYS[1])");

const check = (identifier: string): CheckRequest => ({
  limits: [{ prefix: 'co', identifier: `{${identifier}}`, limiter: fixedWindow(100, '1 m'), cost: 1 }],
});

describe('upstash store: concurrent calls share requests', () => {
  const slow = gatewayForThisFile({ latencyMs: 100 });

  it('while a request is in flight, the calls of one event-loop turn leave as one request', async () => {
    const store = upstashStore(slow.redis());
    await store.check(check('warm')); // scripts loaded
    const before = slow.gateway().stats().requests;
    let firstAnswered = false;
    const first = store.check(check('first')).finally(() => {
      firstAnswered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first is on the wire
    // 40 "HTTP requests" handled in one turn of the event loop, each its own macrotask (with its
    // microtasks run after it), as a busy server handles the sockets that were ready together.
    let answeredBeforeTheRest = false;
    const later = await new Promise<Promise<unknown>[]>((resolve) => {
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        setImmediate(() => {
          if (i === 0) answeredBeforeTheRest = firstAnswered;
          calls.push(store.check(check(`c${i}`)));
          if (calls.length === 40) resolve(calls);
        });
      }
    });
    const results = (await Promise.all([first, ...later])) as { limits: { success: boolean }[] }[];
    expect(results.every((result) => result.limits[0]!.success)).toBe(true);
    // The first in flight, the 40 together. Only on a machine so loaded that the first came back
    // (100 ms) before the 40 ran does the first of the 40 leave alone, with nothing in flight.
    expect(slow.gateway().stats().requests - before).toBe(answeredBeforeTheRest ? 3 : 2);
  });
});

describe('coalescingRunner', () => {
  const { gateway, redis } = gatewayForThisFile();

  it('answers each call with its own reply, across batches cut by size and count', async () => {
    const client = redis();
    await client.scriptLoad(ECHO.script);
    const runner = coalescingRunner(client, { maxCalls: 4, maxChars: 100 });
    const big = 'x'.repeat(200);
    const calls: ScriptCall[] = [
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((value) => ({ script: ECHO, keys: [], args: [value] })),
      { script: ECHO, keys: [], args: [big] },
      { script: ECHO, keys: [], args: ['g'] },
    ];
    const before = gateway().stats().requests;
    expect(await runner.run(calls)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', big, 'g']);
    // [a b c d] [e f] [big] [g]: four at most, and the big one alone.
    expect(gateway().stats().requests - before).toBe(4);
  });

  it('sends scripts Redis does not know with their source, in one more request for the batch', async () => {
    const unknown = script(`return ARGV[1] -- ${Math.random()}`);
    const runner = coalescingRunner(redis());
    const before = gateway().stats().requests;
    const replies = await runner.run(
      ['a', 'b', 'c', 'd', 'e'].map((value) => ({ script: unknown, keys: [], args: [value] })),
    );
    expect(replies).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(gateway().stats().requests - before).toBe(2);
    const again = gateway().stats().requests;
    await runner.run([{ script: unknown, keys: [], args: ['f'] }]);
    expect(gateway().stats().requests - again).toBe(1);
  });

  it("one call's error is that call's reply; the others in its request succeed", async () => {
    const client = redis();
    const key = `co:wrongtype:${Math.random()}`;
    await client.hset(key, { a: 1 });
    const runner = coalescingRunner(client);
    const replies = await runner.run([
      { script: INCR, keys: [`co:n:${Math.random()}`], args: [] },
      { script: INCR, keys: [key], args: [] },
      { script: ECHO, keys: [], args: ['ok'] },
    ]);
    expect(replies[0]).toBe(1);
    expect(replies[1]).toBeInstanceOf(Error);
    expect((replies[1] as Error).message).toMatch(/WRONGTYPE/);
    expect(replies[2]).toBe('ok');
  });

  it('a store it cannot reach answers every call with an Error, and never throws', async () => {
    const unreachable = new Redis({ url: 'http://127.0.0.1:9', token: 't', retry: false });
    const replies = await coalescingRunner(unreachable).run([
      { script: ECHO, keys: [], args: ['a'] },
      { script: ECHO, keys: [], args: ['b'] },
    ]);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply).toBeInstanceOf(Error);
  });
});
