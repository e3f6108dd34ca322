import { setTimeout as delay } from 'node:timers/promises';
import type { RedisAddress } from '../resp/parseRedisUrl.js';
import { RedisConnection } from '../resp/RedisConnection.js';

/**
 * Polls until Redis answers PING, or rejects once `giveUp` settles or the deadline passes.
 * Polling beats log scraping: the "ready" line is not printed at the quiet log level we use.
 *
 * @example
 * await waitForRedis({ host: '127.0.0.1', port }, exited, 5000);
 */
export async function waitForRedis(
  address: RedisAddress,
  giveUp: Promise<never>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stopped = false;
  giveUp.catch(() => {
    stopped = true;
  });
  while (!stopped) {
    const conn = await Promise.race([RedisConnection.open(address, 500), giveUp]).catch(() => undefined);
    if (conn) {
      const [pong] = await conn.send([['PING']]).catch(() => [undefined]);
      conn.close();
      if (pong === 'PONG') return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `[upstash-local] redis-server did not answer PING on port ${address.port} within ${timeoutMs} ms.`,
      );
    }
    await delay(10);
  }
  await giveUp;
}
