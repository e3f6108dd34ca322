import type { ServerResponse } from 'node:http';
import type { RedisConnection } from '../resp/RedisConnection.js';
import type { RedisConnectionError } from '../resp/RedisConnectionError.js';
import { RedisReplyError } from '../resp/RedisReplyError.js';
import type { RespValue } from '../resp/RespValue.js';
import { formatSseEvent } from './formatSseEvent.js';

/** The Redis command a stream runs: channels or patterns. */
export type SubscribeKind = 'subscribe' | 'psubscribe';

/** How long a dropped subscriber may take to read its error event before its socket is cut. */
const DROP_GRACE_MS = 5000;

/** What a subscription needs from the gateway. */
export interface SseSubscriptionOptions {
  /** Bytes that may wait for a slow reader before it is dropped. */
  bufferLimit: number;
  /** Extra response headers (the sync token). */
  headers: Record<string, string>;
  /** Called once when the subscriber is dropped for reading too slowly. */
  onDrop: () => void;
}

/**
 * One SSE stream fed by one Redis connection in Pub/Sub mode (SUBSCRIBE needs a connection of its
 * own). The stream and the connection live and die together: a client that goes away closes the
 * connection, and a connection that drops ends the stream with an error event.
 *
 * @example
 * const sub = new SseSubscription(await pool.dedicated(), res, 'subscribe', ['chat'], options);
 * const status = await sub.run(); // resolves when the stream is over
 */
export class SseSubscription {
  private state: 'starting' | 'listening' | 'closing' | 'closed' = 'starting';
  private finish: (status: number) => void = () => {};
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly conn: RedisConnection,
    private readonly res: ServerResponse,
    readonly kind: SubscribeKind,
    readonly targets: readonly string[],
    private readonly options: SseSubscriptionOptions,
  ) {}

  /** True while messages are being forwarded. */
  get listening(): boolean {
    return this.state === 'listening';
  }

  /** Bytes written to the response that the client has not taken yet. */
  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  /**
   * Subscribes and streams until the client leaves, Redis drops, the reader falls behind or
   * {@link stop} is called. Resolves with the HTTP status, once the response is closed.
   */
  run(): Promise<number> {
    return new Promise((resolve) => {
      this.finish = resolve;
      // The client may have left while the connection was opening; 'close' will not fire again.
      if (this.res.destroyed) {
        this.onResponseClose();
        return;
      }
      this.res.on('close', () => this.onResponseClose());
      this.conn.listen([this.kind.toUpperCase(), ...this.targets], {
        onPush: (reply) => this.onPush(reply),
        onClose: (error) => this.onRedisClose(error),
      });
    });
  }

  /** Ends the stream the way Redis would tell a client it was unsubscribed from everything. */
  stop(): void {
    if (this.state === 'starting') {
      this.state = 'closed';
      this.conn.close();
      this.sendJson(503, '[upstash-local] The gateway is stopping; start a new one.');
      return;
    }
    if (this.state === 'closing') {
      this.res.destroy(); // a dropped reader still in its grace period
      return;
    }
    if (this.state !== 'listening') return;
    this.state = 'closing';
    this.conn.close();
    const event = this.kind === 'subscribe' ? 'unsubscribe' : 'punsubscribe';
    this.targets.forEach((target, i) => {
      this.res.write(formatSseEvent([event, target, this.targets.length - 1 - i]));
    });
    this.res.end();
  }

  private onPush(reply: RespValue): void {
    if (this.state === 'starting') {
      // Headers wait for Redis' first answer, so a refused SUBSCRIBE (an ACL, say) is a plain 400.
      if (reply instanceof RedisReplyError) {
        this.state = 'closed';
        this.conn.close();
        this.sendJson(400, reply.message);
        return;
      }
      this.state = 'listening';
      this.res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        ...this.options.headers,
      });
    }
    if (this.state !== 'listening') return;
    if (reply instanceof RedisReplyError) {
      this.endWithError(reply.message);
      return;
    }
    if (!Array.isArray(reply)) return;
    this.res.write(formatSseEvent(reply));
    if (this.res.writableLength > this.options.bufferLimit) this.drop();
  }

  /** The reader cannot keep up: stop forwarding at once so memory stays bounded, and say why. */
  private drop(): void {
    this.options.onDrop();
    this.endWithError(
      `[upstash-local] Dropped this subscriber: more than ${this.options.bufferLimit} bytes were waiting for it to read. Read the stream faster or raise subscriberBufferLimit.`,
    );
    // A reader that never reads would keep the socket, and what waits in it, forever.
    this.graceTimer = setTimeout(() => this.res.destroy(), DROP_GRACE_MS);
    this.graceTimer.unref();
  }

  private onRedisClose(error: RedisConnectionError): void {
    if (this.state === 'starting') {
      this.state = 'closed';
      this.sendJson(500, error.message);
    } else if (this.state === 'listening') {
      this.endWithError(error.message);
    }
  }

  /** Closes the Redis side and ends the stream with an `error` event, which the client hands to its error listeners. */
  private endWithError(message: string): void {
    this.state = 'closing';
    this.conn.close();
    this.res.end(formatSseEvent(['error', this.targets[0] ?? '', message]));
  }

  private onResponseClose(): void {
    clearTimeout(this.graceTimer);
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.conn.close(); // the client went away: its Redis connection goes too
    }
    this.finish(this.res.statusCode);
  }

  private sendJson(status: number, error: string): void {
    const json = JSON.stringify({ error });
    this.res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(json),
      ...this.options.headers,
    });
    this.res.end(json);
  }
}
