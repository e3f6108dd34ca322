import type { RedisAddress } from './parseRedisUrl.js';
import { RedisConnection } from './RedisConnection.js';
import type { RespValue } from './RespValue.js';

/**
 * A few shared, pipelined connections opened on demand. A dropped connection is replaced on the
 * next request, so a restarted Redis is picked up and a dead one fails fast instead of hanging.
 *
 * @example
 * const pool = new RedisPool(parseRedisUrl('redis://127.0.0.1:6379'));
 * const [ok, value] = await pool.send([['SET', 'k', 'v'], ['GET', 'k']]);
 */
export class RedisPool {
  private readonly slots: (Promise<RedisConnection> | undefined)[];
  private nextSlot = 0;
  private closed = false;

  /**
   * @param address where Redis listens
   * @param size how many shared connections to keep; @default 4
   */
  constructor(
    private readonly address: RedisAddress,
    size = 4,
  ) {
    this.slots = new Array(size).fill(undefined);
  }

  /** Sends a batch on one shared connection (round-robin), as one contiguous write. */
  async send(commands: readonly (readonly string[])[]): Promise<RespValue[]> {
    return (await this.shared()).send(commands);
  }

  /**
   * The next shared connection (round-robin), for a caller that sends several batches which
   * must stay in order among themselves. Never close it: others use it too.
   */
  shared(): Promise<RedisConnection> {
    const slot = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    return this.connection(slot);
  }

  /**
   * A fresh connection of the caller's own, which must close it: for blocking commands, which
   * would stall every request queued behind them on a shared connection, and for Pub/Sub.
   */
  dedicated(): Promise<RedisConnection> {
    if (this.closed) return Promise.reject(stoppedError());
    return RedisConnection.open(this.address);
  }

  close(): void {
    this.closed = true;
    for (const [index, slot] of this.slots.entries()) {
      this.slots[index] = undefined;
      slot?.then((conn) => conn.close()).catch(() => {});
    }
  }

  private async connection(slot: number): Promise<RedisConnection> {
    if (this.closed) throw stoppedError();
    const existing = this.slots[slot];
    if (existing) {
      const conn = await existing.catch(() => undefined);
      if (conn && !conn.closed) return conn;
    }
    const opening = RedisConnection.open(this.address);
    this.slots[slot] = opening;
    // A failed connect must not poison the slot: the next request retries.
    opening.catch(() => {
      if (this.slots[slot] === opening) this.slots[slot] = undefined;
    });
    return opening;
  }
}

function stoppedError(): Error {
  return new Error('[upstash-local] The gateway was stopped; start a new one.');
}
