import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './faults/startFaultProxy.js';
import { startUpstashLocalProcess, type UpstashLocalProcess } from './faults/startUpstashLocalProcess.js';
import { isProcessAlive } from './testing/isProcessAlive.js';

let local: UpstashLocalProcess;
let proxy: FaultProxy;
beforeAll(async () => {
  local = await startUpstashLocalProcess();
  proxy = await startFaultProxy(local.url);
}, 30_000);
afterAll(async () => {
  await proxy?.close();
  await local?.stop();
});

const through = () => new Redis({ url: proxy.url, token: local.token, retry: false });

describe('fault proxy', () => {
  it('forwards, answers 503, drops, and loses chosen responses after the command ran', async () => {
    const redis = through();
    expect(await redis.set('fault:a', '1')).toBe('OK');
    proxy.mode = 'unavailable';
    await expect(redis.get('fault:a')).rejects.toThrow(/backend unavailable/);
    proxy.mode = 'drop';
    await expect(redis.get('fault:a')).rejects.toThrow();
    proxy.mode = 'pass';
    proxy.loseNextResponses(1, 'fault:lost');
    // Raw fetch: @upstash/redis would send it again by itself (even with retry: false, once).
    const lost = fetch(proxy.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.token}` },
      body: JSON.stringify(['INCR', 'fault:lost']),
    });
    await expect(lost).rejects.toThrow();
    expect(proxy.lost).toBe(1);
    expect(await redis.get('fault:lost')).toBe(1); // it ran: only its answer was lost
    // A dropped connection is sent twice by @upstash/redis, even with retry: false; a 503 is not.
    expect(proxy.seen).toMatchObject({ unavailable: 1, drop: 2 });
    proxy.switchAfter('fault:trigger', 'unavailable');
    expect(await redis.set('fault:before', 1)).toBe('OK');
    expect(await redis.set('fault:trigger', 1)).toBe('OK'); // answered, then the store goes away
    await expect(redis.get('fault:before')).rejects.toThrow(/backend unavailable/);
    proxy.mode = 'pass';
  });
});

describe('upstash-local in its own process', () => {
  it('can be stalled (SIGSTOP) and resumed, and queued commands then run', async () => {
    const redis = new Redis({ url: local.url, token: local.token, retry: false });
    for (const target of ['redis', 'gateway'] as const) {
      local.signal(target, 'SIGSTOP');
      const pending = redis.incr(`fault:stalled:${target}`);
      const early = await Promise.race([pending.then(() => 'answered'), sleep(300).then(() => 'waiting')]);
      local.signal(target, 'SIGCONT');
      expect(early).toBe('waiting');
      expect(await pending).toBe(1);
    }
  });

  it('stops with its redis-server', async () => {
    const other = await startUpstashLocalProcess();
    expect(isProcessAlive(other.pid) && isProcessAlive(other.redisPid)).toBe(true);
    await other.stop();
    await sleep(200);
    expect(isProcessAlive(other.pid)).toBe(false);
    expect(isProcessAlive(other.redisPid)).toBe(false);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
