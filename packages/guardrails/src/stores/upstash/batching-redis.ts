import type { UpstashRedisClient } from './redis-client.js';

/** A script call `@upstash/ratelimit` made while a batch was being collected. */
export interface QueuedScriptCall {
  command: 'evalsha' | 'eval';
  /** SHA for `evalsha`, source for `eval`. */
  script: string;
  keys: string[];
  args: unknown[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Stands in for the Redis client of `@upstash/ratelimit`. Inside `collect()` its script calls
 * are queued instead of sent, so the store can put every limit of a call — and the idempotency
 * claim — into one pipeline request. `Ratelimit.limit()` issues its `evalsha` synchronously,
 * which is what makes collecting possible. Outside `collect()` calls go straight to Redis (e.g.
 * the `eval` fallback after a `NOSCRIPT`).
 */
export class BatchingRedis {
  private queue: QueuedScriptCall[] | undefined;

  constructor(private readonly redis: UpstashRedisClient) {}

  collect<T>(run: () => T): { value: T; calls: QueuedScriptCall[] } {
    const calls: QueuedScriptCall[] = [];
    this.queue = calls;
    try {
      return { value: run(), calls };
    } finally {
      this.queue = undefined;
    }
  }

  evalsha = (sha: string, keys: string[], args: unknown[]): Promise<unknown> =>
    this.enqueue('evalsha', sha, keys, args) ?? this.redis.evalsha(sha, keys, args);

  eval = (script: string, keys: string[], args: unknown[]): Promise<unknown> =>
    this.enqueue('eval', script, keys, args) ?? this.redis.eval(script, keys, args);

  get = (key: string) => this.redis.get(key);
  set = (key: string, value: unknown) => this.redis.set(key, value);

  private enqueue(command: QueuedScriptCall['command'], script: string, keys: string[], args: unknown[]) {
    const queue = this.queue;
    if (!queue) return undefined;
    return new Promise<unknown>((resolve, reject) => {
      queue.push({ command, script, keys, args, resolve, reject });
    });
  }
}
