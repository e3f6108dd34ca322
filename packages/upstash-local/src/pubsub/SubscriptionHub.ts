import type { ServerResponse } from 'node:http';
import type { RedisPool } from '../resp/RedisPool.js';
import { SseSubscription, type SubscribeKind } from './SseSubscription.js';

/** Live figures of the Pub/Sub streams, see {@link UpstashLocal.subscriptions}. */
export interface SubscriptionStats {
  /** Streams currently forwarding messages, each with a Redis connection of its own. */
  subscribers: number;
  /** Bytes written to subscriber responses that their clients have not read yet, summed. */
  bufferedBytes: number;
  /** Subscribers dropped since start because they read too slowly. */
  dropped: number;
}

/**
 * Every SSE subscription of a gateway: opens them, counts them, and ends them on stop().
 *
 * @example
 * const hub = new SubscriptionHub(pool, 1024 * 1024);
 * const status = await hub.serve(res, 'subscribe', ['chat'], {}); // resolves when the stream ends
 */
export class SubscriptionHub {
  private readonly live = new Set<SseSubscription>();
  private dropped = 0;
  private stopped = false;

  constructor(
    private readonly pool: RedisPool,
    private readonly bufferLimit: number,
  ) {}

  /** Streams `targets` to `res` until the stream ends; resolves with the HTTP status sent. */
  async serve(
    res: ServerResponse,
    kind: SubscribeKind,
    targets: readonly string[],
    headers: Record<string, string>,
  ): Promise<number> {
    const conn = await this.pool.dedicated();
    if (this.stopped) {
      conn.close();
      throw new Error('[upstash-local] The gateway was stopped; start a new one.');
    }
    const subscription = new SseSubscription(conn, res, kind, targets, {
      bufferLimit: this.bufferLimit,
      headers,
      onDrop: () => {
        this.dropped++;
      },
    });
    this.live.add(subscription);
    try {
      return await subscription.run();
    } finally {
      this.live.delete(subscription);
    }
  }

  stats(): SubscriptionStats {
    let subscribers = 0;
    let bufferedBytes = 0;
    for (const subscription of this.live) {
      if (subscription.listening) subscribers++;
      bufferedBytes += subscription.bufferedBytes;
    }
    return { subscribers, bufferedBytes, dropped: this.dropped };
  }

  /** Ends every stream (clients see unsubscribe events) and refuses new ones. */
  stop(): void {
    this.stopped = true;
    for (const subscription of this.live) subscription.stop();
  }
}
