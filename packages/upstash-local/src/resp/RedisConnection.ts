import { connect, type Socket } from 'node:net';
import { encodeCommand } from './encodeCommand.js';
import { FifoQueue } from './FifoQueue.js';
import type { RedisAddress } from './parseRedisUrl.js';
import { RedisConnectionError } from './RedisConnectionError.js';
import { RedisReplyError } from './RedisReplyError.js';
import { RespParser } from './RespParser.js';
import type { RespValue } from './RespValue.js';

/** One send() awaiting its replies: a single entry however many commands it wrote. */
interface PendingBatch {
  replies: RespValue[];
  expected: number;
  resolve: (replies: RespValue[]) => void;
  reject: (error: Error) => void;
}

/** Where a connection in Pub/Sub mode delivers what Redis pushes, see {@link RedisConnection.listen}. */
export interface PushListener {
  /** Every reply after the SUBSCRIBE: confirmations and messages alike. */
  onPush: (reply: RespValue) => void;
  /** Called once when the connection is gone, for whatever reason. */
  onClose: (error: RedisConnectionError) => void;
}

/**
 * One pipelined RESP2 connection. Replies arrive in the order commands were written,
 * so a FIFO of pending batches is all the bookkeeping needed. One entry per batch rather than
 * one promise per command keeps a 100,000-command pipeline to one allocation and one resolve.
 *
 * @example
 * const conn = await RedisConnection.open({ host: '127.0.0.1', port: 6379 });
 * const [pong] = await conn.send([['PING']]);
 * conn.close();
 */
export class RedisConnection {
  private readonly queue = new FifoQueue<PendingBatch>();
  private awaited = 0;
  private listener: PushListener | undefined;
  private closedWith: RedisConnectionError | undefined;

  private constructor(
    private readonly socket: Socket,
    label: string,
  ) {
    const parser = new RespParser((reply) => this.receive(reply));
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (error) {
        this.fail(error instanceof Error ? error.message : String(error));
      }
    });
    socket.on('error', (error) => this.fail(`lost connection to Redis at ${label} (${error.message})`));
    socket.on('close', () => this.fail(`Redis at ${label} closed the connection`));
  }

  /**
   * Connects, then authenticates and selects the database if the address asks for it.
   *
   * @example
   * const conn = await RedisConnection.open(parseRedisUrl('redis://127.0.0.1:6379'));
   */
  static open(address: RedisAddress, connectTimeoutMs = 2000): Promise<RedisConnection> {
    const label = `redis://${address.host}:${address.port}`;
    return new Promise<RedisConnection>((resolve, reject) => {
      const socket = connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new RedisConnectionError(
            `[upstash-local] Timed out connecting to Redis at ${label}; is it running?`,
          ),
        );
      }, connectTimeoutMs);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new RedisConnectionError(
            `[upstash-local] Cannot connect to Redis at ${label} (${error.code ?? error.message}); start redis-server or fix redisUrl.`,
          ),
        );
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RedisConnection(socket, label));
      });
    }).then(async (conn) => {
      const setup: string[][] = [];
      if (address.password !== undefined) {
        setup.push(
          address.username ? ['AUTH', address.username, address.password] : ['AUTH', address.password],
        );
      }
      if (address.db !== undefined) setup.push(['SELECT', String(address.db)]);
      if (setup.length === 0) return conn;
      const replies = await conn.send(setup);
      const failed = replies.find((reply) => reply instanceof RedisReplyError);
      if (failed instanceof RedisReplyError) {
        conn.close();
        throw new RedisConnectionError(
          `[upstash-local] Redis at ${label} refused AUTH/SELECT: ${failed.message}`,
        );
      }
      return conn;
    });
  }

  /** True once the socket is gone; the pool then replaces this connection. */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Replies still awaited. */
  get pending(): number {
    return this.awaited;
  }

  /**
   * Writes all commands in one go and resolves with their replies in order. A single write keeps
   * the batch contiguous on the wire, which is what makes MULTI ... EXEC atomic on a shared connection.
   */
  send(commands: readonly (readonly string[])[]): Promise<RespValue[]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (this.listener) {
      return Promise.reject(new Error('[upstash-local] Internal error: send() on a Pub/Sub connection.'));
    }
    if (commands.length === 0) return Promise.resolve([]);
    const done = new Promise<RespValue[]>((resolve, reject) => {
      this.queue.push({ replies: [], expected: commands.length, resolve, reject });
    });
    this.awaited += commands.length;
    this.socket.write(commands.map(encodeCommand).join(''));
    return done;
  }

  /**
   * Writes a SUBSCRIBE or PSUBSCRIBE and hands this connection over to `listener` for good:
   * in Pub/Sub mode Redis pushes replies nobody asked for, so request/reply matching stops.
   * Only for a connection of its own, never a pooled one.
   */
  listen(command: readonly string[], listener: PushListener): void {
    if (this.closedWith) {
      listener.onClose(this.closedWith);
      return;
    }
    if (this.awaited > 0) throw new Error('[upstash-local] Internal error: listen() with replies pending.');
    this.listener = listener;
    this.socket.write(encodeCommand(command));
  }

  close(): void {
    this.fail('connection closed by upstash-local');
    this.socket.destroy();
  }

  private receive(reply: RespValue): void {
    const batch = this.queue.peek();
    if (!batch) {
      this.listener?.onPush(reply);
      return;
    }
    batch.replies.push(reply);
    this.awaited--;
    if (batch.replies.length === batch.expected) {
      this.queue.shift();
      batch.resolve(batch.replies);
    }
  }

  private fail(reason: string): void {
    if (this.closedWith) return;
    this.closedWith = new RedisConnectionError(`[upstash-local] ${reason}; the request was not completed.`);
    this.awaited = 0;
    for (const pending of this.queue.drain()) pending.reject(this.closedWith);
    this.socket.destroy();
    this.listener?.onClose(this.closedWith);
  }
}
