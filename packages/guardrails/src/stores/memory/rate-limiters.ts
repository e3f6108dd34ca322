import type { Limiter } from '../../rate-limit/algorithms.js';
import type { LimitResult } from '../types.js';
import { flat } from './flat-key.js';

/** A fixed or sliding window's state, as the Lua functions keep it in a hash. */
export interface WindowState {
  kind: 'window';
  /** Window number: `floor(now / windowMs)`. */
  window: number;
  count: number;
  previous: number;
  windowMs: number;
  expiresAt: number;
}

/** A token bucket's state. */
export interface BucketState {
  kind: 'bucket';
  refilledAt: number;
  tokens: number;
  expiresAt: number;
}

export type LimitState = WindowState | BucketState;

/** A limit's decision before anything is taken; `take()` consumes the call's cost. */
export interface LimitVerdict extends LimitResult {
  take(states: Map<string, LimitState>): void;
}

/**
 * `peek_limit` / `commit_limit` of `stores/lua/limit-functions.ts`, in TypeScript, for the memory
 * store: the same arithmetic, so both stores answer the same (a property test runs them side by
 * side on a real Redis). Change both or neither.
 */
export function peekLimit(
  state: LimitState | undefined,
  key: string,
  limiter: Limiter,
  cost: number,
  now: number,
): LimitVerdict {
  if (limiter.algorithm === 'token-bucket') {
    const { maxTokens, intervalMs, refillRate } = limiter;
    let refilledAt = now;
    let tokens = maxTokens;
    if (state?.kind === 'bucket') {
      refilledAt = state.refilledAt;
      tokens = state.tokens;
      if (now >= refilledAt + intervalMs) {
        const refills = Math.floor((now - refilledAt) / intervalMs);
        tokens += refills * refillRate;
        refilledAt += refills * intervalMs;
      }
    }
    tokens = Math.min(maxTokens, tokens);
    const reset = refilledAt + intervalMs;
    if (tokens < cost) {
      return refused(
        maxTokens,
        tokens,
        reset,
        refilledAt + Math.ceil((cost - tokens) / refillRate) * intervalMs,
      );
    }
    const remaining = tokens - cost;
    return {
      success: true,
      limit: maxTokens,
      remaining,
      reset,
      take(states) {
        const ttl = Math.max(1, Math.ceil((maxTokens - remaining) / refillRate) * intervalMs);
        states.set(flat(key), { kind: 'bucket', refilledAt, tokens: remaining, expiresAt: now + ttl });
      },
    };
  }
  const { limit, windowMs } = limiter;
  const window = Math.floor(now / windowMs);
  const reset = (window + 1) * windowMs;
  let current = 0;
  let previous = 0;
  if (state?.kind === 'window' && state.windowMs === windowMs) {
    if (state.window === window) {
      current = state.count;
      previous = state.previous;
    } else if (state.window === window - 1) {
      previous = state.count;
    }
  }
  const used =
    limiter.algorithm === 'sliding-window'
      ? current + Math.floor((1 - (now % windowMs) / windowMs) * previous)
      : current;
  if (used + cost > limit) {
    const retryAt =
      limiter.algorithm === 'fixed-window'
        ? reset
        : slidingRetryAt(limit, windowMs, cost, now, reset, current, previous);
    return refused(limit, Math.max(0, limit - used), reset, retryAt);
  }
  return {
    success: true,
    limit,
    remaining: limit - used - cost,
    reset,
    take(states) {
      const ttl = reset - now + (limiter.algorithm === 'sliding-window' ? windowMs : 0);
      states.set(flat(key), {
        kind: 'window',
        window,
        count: current + cost,
        previous,
        windowMs,
        expiresAt: now + ttl,
      });
    },
  };
}

/** `retry_at` of the Lua functions: when a sliding window could let a call of `cost` pass, at the earliest. */
function slidingRetryAt(
  limit: number,
  windowMs: number,
  cost: number,
  now: number,
  reset: number,
  current: number,
  previous: number,
): number {
  if (current + cost > limit) {
    if (current === 0) return reset;
    return reset + Math.max(0, Math.floor(windowMs * (1 - (limit - cost + 1) / current)) - 1);
  }
  const at =
    reset - windowMs + Math.max(0, Math.floor(windowMs * (1 - (limit - cost - current + 1) / previous)) - 1);
  return Math.max(now + 1, at);
}

function refused(limit: number, remaining: number, reset: number, retryAt: number): LimitVerdict {
  return { success: false, limit, remaining, reset, retryAt, take() {} };
}
