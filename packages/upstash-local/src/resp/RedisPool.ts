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
    const slot = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    const conn = await this.connection(slot);
    return conn.send(commands);
  }

  /**
   * Sends a batch on a fresh connection that is closed afterwards: for blocking commands,
   * which would otherwise stall every request queued behind them on a shared connection.
   */
  async sendIsolated(commands: readonly (readonly string[])[]): Promise<RespValue[]> {
    const conn = await RedisConnection.open(this.address);
    try {
      return await conn.send(commands);
    } finally {
      conn.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const [index, slot] of this.slots.entries()) {
      this.slots[index] = undefined;
      slot?.then((conn) => conn.close()).catch(() => {});
    }
  }

  private async connection(slot: number): Promise<RedisConnection> {
    if (this.closed) throw new Error('[upstash-local] The gateway was stopped; start a new one.');
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
