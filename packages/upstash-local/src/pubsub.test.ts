import { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedisPrefix } from './createTestRedisPrefix.js';
import { startUpstashLocal } from './startUpstashLocal.js';
import { postJson } from './testing/postJson.js';
import { recordSubscriber } from './testing/recordSubscriber.js';
import { redisClients, subscriberConnections } from './testing/redisClients.js';
import { waitUntil } from './testing/waitUntil.js';
import type { UpstashLocal } from './UpstashLocal.js';

let local: UpstashLocal;
let redis: Redis;
const prefix = createTestRedisPrefix('pubsub');
const ch = (name: string) => `${prefix}${name}`;

beforeAll(async () => {
  local = await startUpstashLocal();
  redis = new Redis({ url: local.url, token: local.token });
});
afterAll(() => local.stop());

/** Subscribers still open; a failing test must not leave its subscriptions to the next one. */
const open: { unsubscribe(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((subscriber) => subscriber.unsubscribe()));
  await waitUntil(
    'every subscriber connection is closed',
    async () => (await subscriberConnections(local.redisUrl)).length === 0,
  );
});

/** A recorded subscriber, closed after the test whatever happens. */
function subscribe(client: Redis, channel: string, pattern = false) {
  const recorded = recordSubscriber(client, channel, pattern);
  open.push(recorded.subscriber);
  return recorded;
}

describe('subscribe and psubscribe with the real client', () => {
  it('delivers published messages in order, with JSON values decoded', async () => {
    const { subscriber, messages, ready } = subscribe(redis, ch('orders'));
    await ready;
    expect(await redis.publish(ch('orders'), { id: 1, items: ['a', 'b'] })).toBe(1);
    for (let i = 2; i <= 20; i++) await redis.publish(ch('orders'), `order ${i}`);
    await waitUntil('20 messages', () => messages.length === 20);
    expect(messages[0]).toEqual({ channel: ch('orders'), message: { id: 1, items: ['a', 'b'] } });
    expect(messages.slice(1).map((m) => (m as { message: unknown }).message)).toEqual(
      Array.from({ length: 19 }, (_, i) => `order ${i + 2}`),
    );
    await subscriber.unsubscribe();
  });

  it('matches patterns and says which channel a message came from', async () => {
    const { subscriber, messages, ready } = subscribe(redis, ch('news.*'), true);
    await ready;
    // JSON values only: the client JSON.parses pmessage payloads without a fallback, on Upstash too.
    await redis.publish(ch('news.sport'), { goal: 1 });
    await redis.publish(ch('weather'), { rain: true }); // not matched
    await redis.publish(ch('news.tech'), 42);
    await waitUntil('2 pmessages', () => messages.length === 2);
    expect(messages).toEqual([
      { pattern: ch('news.*'), channel: ch('news.sport'), message: { goal: 1 } },
      { pattern: ch('news.*'), channel: ch('news.tech'), message: 42 },
    ]);
    await subscriber.unsubscribe();
  });

  it('gives every subscriber its own Redis connection and all of the messages', async () => {
    const subs = [1, 2, 3].map(() => subscribe(redis, ch('fanout')));
    await Promise.all(subs.map((sub) => sub.ready));
    expect(await subscriberConnections(local.redisUrl)).toHaveLength(3);
    expect(local.subscriptions().subscribers).toBe(3);
    expect(await redis.publish(ch('fanout'), 'one')).toBe(3);
    await redis.publish(ch('fanout'), 'two');
    await waitUntil('every subscriber got both', () => subs.every((sub) => sub.messages.length === 2));
    for (const sub of subs) {
      expect(sub.messages.map((m) => (m as { message: unknown }).message)).toEqual(['one', 'two']);
    }
    await Promise.all(subs.map((sub) => sub.subscriber.unsubscribe()));
  });

  it('closes the Redis connection when the client goes away', async () => {
    const { subscriber, ready } = subscribe(redis, ch('leaving'));
    await ready;
    const [connection] = await subscriberConnections(local.redisUrl);
    expect(connection).toMatchObject({ cmd: 'subscribe', sub: '1' });
    await subscriber.unsubscribe(); // aborts the HTTP request
    await waitUntil('CLIENT LIST no longer shows it', async () =>
      (await redisClients(local.redisUrl)).every((client) => client.id !== connection!.id),
    );
    expect(local.subscriptions()).toMatchObject({ subscribers: 0, bufferedBytes: 0 });
    expect(await redis.publish(ch('leaving'), 'anyone?')).toBe(0);
  });

  it('keeps the client sync token across a subscribe', async () => {
    await redis.set(ch('token-key'), 'v');
    const token = redis.readYourWritesSyncToken;
    expect(token).toMatch(/^\d+$/);
    const { subscriber, ready } = subscribe(redis, ch('token'));
    await ready;
    // The client stores the header of the stream response too; without one it would reset to "".
    expect(redis.readYourWritesSyncToken).toBe(token);
    await subscriber.unsubscribe();
  });
});

describe('the SSE endpoints', () => {
  const stream = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${local.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${local.token}`, Accept: 'text/event-stream', ...headers },
      body: '[]',
    });

  it('streams data: lines in the format Upstash documents', async () => {
    const controller = new AbortController();
    const res = await fetch(`${local.url}/subscribe/${encodeURIComponent(ch('raw'))}/${ch('raw2')}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${local.token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('upstash-sync-token')).toMatch(/^\d+$/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += (await reader.read()).value ?? '';
    };
    await readUntil(`data: subscribe,${ch('raw2')},2\n\n`);
    await postJson(local.url, ['PUBLISH', ch('raw2'), 'two\nlines'], { token: local.token });
    await readUntil('data: lines\n\n');
    expect(text).toBe(
      `data: subscribe,${ch('raw')},1\n\ndata: subscribe,${ch('raw2')},2\n\n` +
        `data: message,${ch('raw2')},two\ndata: lines\n\n`,
    );
    controller.abort();
  });

  it('checks the token and the method like the other endpoints', async () => {
    expect((await stream(`/subscribe/${ch('x')}`, { Authorization: 'Bearer wrong' })).status).toBe(401);
    const get = await fetch(`${local.url}/subscribe/${ch('x')}`, {
      headers: { Authorization: `Bearer ${local.token}` },
    });
    expect(get.status).toBe(405);
    const none = await stream('/psubscribe');
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: string }).error).toMatch(/Name the pattern in the path/);
    expect(local.subscriptions().subscribers).toBe(0);
  });

  it("answers 400 with Redis' error when Redis refuses the SUBSCRIBE", async () => {
    const acl = ['ACL', 'SETUSER', 'nochannels', 'on', '>secret', '~*', 'resetchannels', '+@all'];
    expect((await postJson(local.url, acl, { token: local.token })).json).toEqual({ result: 'OK' });
    const { port } = new URL(local.redisUrl);
    const limited = await startUpstashLocal({ redisUrl: `redis://nochannels:secret@127.0.0.1:${port}` });
    const res = await fetch(`${limited.url}/subscribe/${ch('denied')}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${limited.token}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^NOPERM/);
    expect(limited.subscriptions().subscribers).toBe(0);
    await limited.stop();
  });
});
