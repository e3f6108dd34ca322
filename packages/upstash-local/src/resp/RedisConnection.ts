import { connect, type Socket } from 'node:net';
import { encodeCommand } from './encodeCommand.js';
import type { RedisAddress } from './parseRedisUrl.js';
import { RedisConnectionError } from './RedisConnectionError.js';
import { RedisReplyError } from './RedisReplyError.js';
import { RespParser } from './RespParser.js';
import type { RespValue } from './RespValue.js';

interface PendingReply {
  resolve: (reply: RespValue) => void;
  reject: (error: Error) => void;
}

/**
 * One pipelined RESP2 connection. Replies arrive in the order commands were written,
 * so a FIFO of callbacks is all the bookkeeping needed.
 *
 * @example
 * const conn = await RedisConnection.open({ host: '127.0.0.1', port: 6379 });
 * const [pong] = await conn.send([['PING']]);
 * conn.close();
 */
export class RedisConnection {
  private readonly queue: PendingReply[] = [];
  private closedWith: RedisConnectionError | undefined;

  private constructor(
    private readonly socket: Socket,
    label: string,
  ) {
    const parser = new RespParser((reply) => this.queue.shift()?.resolve(reply));
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

  /** Replies still awaited; lets the pool pick the least busy connection. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Writes all commands in one go and resolves with their replies in order. A single write keeps
   * the batch contiguous on the wire, which is what makes MULTI ... EXEC atomic on a shared connection.
   */
  send(commands: readonly (readonly string[])[]): Promise<RespValue[]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const replies = commands.map(
      () => new Promise<RespValue>((resolve, reject) => this.queue.push({ resolve, reject })),
    );
    this.socket.write(commands.map(encodeCommand).join(''));
    return Promise.all(replies);
  }

  close(): void {
    this.fail('connection closed by upstash-local');
    this.socket.destroy();
  }

  private fail(reason: string): void {
    if (this.closedWith) return;
    this.closedWith = new RedisConnectionError(`[upstash-local] ${reason}; the request was not completed.`);
    for (const pending of this.queue.splice(0)) pending.reject(this.closedWith);
    this.socket.destroy();
  }
}
