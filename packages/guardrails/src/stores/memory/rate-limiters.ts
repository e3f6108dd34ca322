import type { Limiter } from '../../rate-limit/algorithms.js';
import type { LimitResult } from '../types.js';

/** A counter that expires, as a Redis key would. */
export interface Counter {
  value: number;
  refilledAt?: number;
  expiresAt: number;
}

/** Counter storage the algorithms read and write (a Map with expiry, in the memory store). */
export interface CounterMap {
  get(key: string, now: number): Counter | undefined;
  set(key: string, counter: Counter): void;
}

/**
 * The three algorithms with exactly the arithmetic of `@upstash/ratelimit`'s Lua scripts, so the
 * memory store and the Upstash store answer the same.
 */
export function applyLimit(
  counters: CounterMap,
  key: string,
  limiter: Limiter,
  cost: number,
  now: number,
): LimitResult {
  switch (limiter.algorithm) {
    case 'fixed-window': {
      const bucket = Math.floor(now / limiter.windowMs);
      const bucketKey = `${key}:${bucket}`;
      const counter = counters.get(bucketKey, now) ?? { value: 0, expiresAt: now + limiter.windowMs };
      counter.value += cost; // like INCRBY: counted even when over the limit
      counters.set(bucketKey, counter);
      return {
        success: counter.value <= limiter.limit,
        limit: limiter.limit,
        remaining: Math.max(0, limiter.limit - counter.value),
        reset: (bucket + 1) * limiter.windowMs,
      };
    }
    case 'sliding-window': {
      const window = limiter.windowMs;
      const current = Math.floor(now / window);
      const currentKey = `${key}:${current}`;
      const inCurrent = counters.get(currentKey, now)?.value ?? 0;
      const inPrevious = counters.get(`${key}:${current - 1}`, now)?.value ?? 0;
      const weightedPrevious = Math.floor((1 - (now % window) / window) * inPrevious);
      const reset = (current + 1) * window;
      if (weightedPrevious + inCurrent >= limiter.limit) {
        return { success: false, limit: limiter.limit, remaining: 0, reset };
      }
      const counter = counters.get(currentKey, now) ?? { value: 0, expiresAt: now + window * 2 + 1000 };
      counter.value += cost;
      counters.set(currentKey, counter);
      const remaining = limiter.limit - (counter.value + weightedPrevious);
      return { success: remaining >= 0, limit: limiter.limit, remaining: Math.max(0, remaining), reset };
    }
    case 'token-bucket': {
      const { maxTokens, intervalMs, refillRate } = limiter;
      const bucket = counters.get(key, now);
      let refilledAt = bucket?.refilledAt ?? now;
      let tokens = bucket ? bucket.value : maxTokens;
      if (now >= refilledAt + intervalMs) {
        const refills = Math.floor((now - refilledAt) / intervalMs);
        tokens = Math.min(maxTokens, tokens + refills * refillRate);
        refilledAt += refills * intervalMs;
      }
      if (tokens < cost) {
        return { success: false, limit: maxTokens, remaining: 0, reset: refilledAt + intervalMs };
      }
      const remaining = tokens - cost;
      const expiresIn = Math.ceil((maxTokens - remaining) / refillRate) * intervalMs;
      counters.set(key, { value: remaining, refilledAt, expiresAt: now + Math.max(expiresIn, 1) });
      return { success: true, limit: maxTokens, remaining, reset: refilledAt + intervalMs };
    }
  }
}
