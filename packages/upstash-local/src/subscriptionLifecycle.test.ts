import { connect } from 'node:net';
import { Redis } from '@upstash/redis';
import { describe, expect, it } from 'vitest';
import { startUpstashLocal } from './startUpstashLocal.js';
import { postJson } from './testing/postJson.js';
import { recordSubscriber } from './testing/recordSubscriber.js';
import { subscriberConnections } from './testing/redisClients.js';
import { waitUntil } from './testing/waitUntil.js';

// How subscriptions end: a client leaving early, a reader too slow to keep, the gateway stopping.

describe('a client that leaves early', () => {
  it('leaves no Redis connection behind, even before its stream started', async () => {
    // The delay holds the request before the gateway opens its Redis connection.
    const gateway = await startUpstashLocal({ latencyMs: 150 });
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
    socket.write(
      `POST /subscribe/early HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gateway.token}\r\nContent-Length: 0\r\n\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await subscriberConnections(gateway.redisUrl)).toEqual([]);
    expect(gateway.subscriptions()).toMatchObject({ subscribers: 0, bufferedBytes: 0 });
    await gateway.stop();
  });
});

describe('a reader that never reads', () => {
  it('is dropped once the bound is reached, and the buffered bytes never pass it', async () => {
    const limit = 256 * 1024;
    const gateway = await startUpstashLocal({ subscriberBufferLimit: limit });
    const { port } = new URL(gateway.url);
    // A raw socket that sends the request and then never reads: TCP fills up, then the gateway's buffer.
    const socket = connect(Number(port), '127.0.0.1');
    socket.pause();
    socket.write(
      `POST /subscribe/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gateway.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n[]',
    );
    await waitUntil('subscribed', () => gateway.subscriptions().subscribers === 1);

    const message = 'x'.repeat(4096);
    const batch = Array.from({ length: 100 }, () => ['PUBLISH', 'slow', message]);
    let published = 0;
    let peak = 0;
    // Up to 64 MB; kernel socket buffers take the first few MB, then the gateway's buffer fills.
    while (published < 64 * 1024 * 1024) {
      const res = await postJson(gateway.url, batch, { token: gateway.token, path: '/pipeline' });
      published += batch.length * message.length;
      peak = Math.max(peak, gateway.subscriptions().bufferedBytes);
      if (res.json.at(-1).result === 0) break; // nobody listens any more
    }
    console.log(
      `[upstash-local] slow reader: ${gateway.subscriptions().dropped} dropped after ${(published / 1048576).toFixed(1)} MiB ` +
        `published; peak buffered ${peak} bytes (limit ${limit}).`,
    );
    expect(gateway.subscriptions()).toMatchObject({ subscribers: 0, dropped: 1 });
    expect(peak).toBeGreaterThan(0);
    // At most one message past the limit, plus the closing error event.
    expect(peak).toBeLessThanOrEqual(limit + message.length + 1024);
    await waitUntil('its Redis connection is gone', async () =>
      (await subscriberConnections(gateway.redisUrl)).every((client) => client.cmd !== 'subscribe'),
    );
    // A reader that finally reads finds the reason at the end of its stream.
    let received = '';
    socket.setEncoding('latin1').on('data', (text: string) => {
      received += text;
    });
    socket.resume();
    await waitUntil('the stream ended', () => received.endsWith('\r\n0\r\n\r\n'));
    expect(received).toMatch(
      /data: error,slow,\[upstash-local\] Dropped this subscriber: more than 262144 bytes/,
    );
    socket.destroy();
    await waitUntil('nothing is buffered', () => gateway.subscriptions().bufferedBytes === 0);
    await gateway.stop();
  });
});

describe('stop()', () => {
  it('ends every subscription with unsubscribe events', async () => {
    const gateway = await startUpstashLocal();
    const client = new Redis({ url: gateway.url, token: gateway.token });
    const channel = recordSubscriber(client, 'a');
    const pattern = recordSubscriber(client, 'b*', true);
    await Promise.all([channel.ready, pattern.ready]);
    await gateway.stop();
    await waitUntil('both heard of it', () => channel.events.length + pattern.events.length === 2);
    expect(channel.events).toEqual([{ type: 'unsubscribe', data: 0 }]);
    expect(pattern.events).toEqual([{ type: 'punsubscribe', data: 0 }]);
    expect(gateway.subscriptions().subscribers).toBe(0);
  });
});
