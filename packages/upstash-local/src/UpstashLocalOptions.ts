/** Options of {@link startUpstashLocal}. */
export interface UpstashLocalOptions {
  /**
   * Use this Redis (`redis://[[user]:password@]host:port[/db]`) instead of starting a redis-server.
   * stop() then leaves it running.
   * @default undefined (start a private, in-memory redis-server)
   */
  redisUrl?: string;
  /**
   * HTTP port of the REST gateway; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Interface the REST gateway binds to. Loopback by default, so nothing outside the machine can reach it.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Bearer token clients must send.
   * @default 32 random bytes, hex
   */
  token?: string;
  /**
   * Delay added before every HTTP request is handled, to simulate network distance in benchmarks.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Path or name (looked up on PATH) of the redis-server binary to start.
   * @default 'redis-server'
   */
  redisServer?: string;
  /**
   * Largest accepted request body in bytes; bigger ones get 413.
   * @default 10485760 (10 MiB)
   */
  bodyLimit?: number;
  /**
   * Bytes that may wait in a `/subscribe` or `/psubscribe` stream for a client that reads slower than
   * messages are published. Past it the subscriber is dropped: its Redis connection is closed and
   * the stream ends with an `error` event, so memory stays bounded whatever the reader does.
   * @default 1048576 (1 MiB)
   * @example
   * await startUpstashLocal({ subscriberBufferLimit: 8 * 1024 * 1024 }); // a bursty publisher, a slow consumer
   */
  subscriberBufferLimit?: number;
  /**
   * Called with one line per HTTP request (method, path, status, duration); a subscription's line
   * comes when its stream ends. Also gets the one warning if Redis refuses `COMMAND` at start-up.
   * @default undefined (no logging)
   */
  log?: (line: string) => void;
}
