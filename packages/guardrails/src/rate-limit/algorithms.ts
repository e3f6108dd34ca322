import { type Duration, describe, parseDuration } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';

/**
 * A rate-limit algorithm with its parameters: plain data, so that any store can implement it.
 * Create one with {@link slidingWindow}, {@link fixedWindow} or {@link tokenBucket}.
 */
export type Limiter = SlidingWindowLimiter | FixedWindowLimiter | TokenBucketLimiter;

export interface SlidingWindowLimiter {
  readonly algorithm: 'sliding-window';
  readonly limit: number;
  readonly window: Duration;
  readonly windowMs: number;
}

export interface FixedWindowLimiter {
  readonly algorithm: 'fixed-window';
  readonly limit: number;
  readonly window: Duration;
  readonly windowMs: number;
}

export interface TokenBucketLimiter {
  readonly algorithm: 'token-bucket';
  /** Tokens added every `interval`. */
  readonly refillRate: number;
  readonly interval: Duration;
  readonly intervalMs: number;
  /** Bucket size: the most tokens a caller can hold, and the burst it can spend at once. */
  readonly maxTokens: number;
}

/**
 * Allows `limit` calls per `window`, weighting the previous window by how much of it still
 * overlaps — smooth at window edges. Same meaning as `Ratelimit.slidingWindow` of `@upstash/ratelimit`.
 *
 * @example
 * ```ts
 * scopes: { ip: { limiter: slidingWindow(20, '10 s'), identify: ({ ctx }) => ctx.ip } }
 * ```
 */
export function slidingWindow(limit: number, window: Duration): SlidingWindowLimiter {
  assertPositiveInteger(limit, 'slidingWindow(limit)');
  return {
    algorithm: 'sliding-window',
    limit,
    window,
    windowMs: parseDuration(window, 'slidingWindow(window)'),
  };
}

/**
 * Allows `limit` calls per fixed `window` (windows start at multiples of the window length).
 * Same meaning as `Ratelimit.fixedWindow` of `@upstash/ratelimit`.
 *
 * @example
 * ```ts
 * scopes: { user: { limiter: fixedWindow(100, '1 m'), identify: ({ ctx }) => ctx.userId } }
 * ```
 */
export function fixedWindow(limit: number, window: Duration): FixedWindowLimiter {
  assertPositiveInteger(limit, 'fixedWindow(limit)');
  return { algorithm: 'fixed-window', limit, window, windowMs: parseDuration(window, 'fixedWindow(window)') };
}

/**
 * A bucket of `maxTokens` tokens that refills by `refillRate` every `interval`; each call takes
 * `cost` tokens. Same meaning as `Ratelimit.tokenBucket` of `@upstash/ratelimit`.
 *
 * @example
 * ```ts
 * scopes: { tenant: { limiter: tokenBucket(1000, '60 s', 1000), identify: ({ ctx }) => ctx.tenantId } }
 * ```
 */
export function tokenBucket(refillRate: number, interval: Duration, maxTokens: number): TokenBucketLimiter {
  assertPositiveInteger(refillRate, 'tokenBucket(refillRate)');
  assertPositiveInteger(maxTokens, 'tokenBucket(maxTokens)');
  return {
    algorithm: 'token-bucket',
    refillRate,
    interval,
    intervalMs: parseDuration(interval, 'tokenBucket(interval)'),
    maxTokens,
  };
}

/** The most units one call may ever consume under this limiter. */
export function limiterCapacity(limiter: Limiter): number {
  return limiter.algorithm === 'token-bucket' ? limiter.maxTokens : limiter.limit;
}

/** The window a client should advertise in `RateLimit-Policy`, in seconds. */
export function limiterWindowSeconds(limiter: Limiter): number {
  const ms = limiter.algorithm === 'token-bucket' ? limiter.intervalMs : limiter.windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

export function isLimiter(value: unknown): value is Limiter {
  if (typeof value !== 'object' || value === null) return false;
  const algorithm = (value as { algorithm?: unknown }).algorithm;
  return algorithm === 'sliding-window' || algorithm === 'fixed-window' || algorithm === 'token-bucket';
}

function assertPositiveInteger(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new GuardrailsConfigError(`${what} must be a positive integer, got ${describe(value)}`);
  }
}
