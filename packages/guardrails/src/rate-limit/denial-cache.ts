import type { LimitRequest, LimitResult } from '../stores/types.js';
import type { Limiter } from './algorithms.js';

interface Denial {
  /** The refused call's cost. */
  cost: number;
  /** The store's answer; its `retryAt` is the lower bound on when a call of `cost` could pass. */
  result: LimitResult & { retryAt: number };
}

/**
 * @internal Refusals this process learnt from the store, answered again with no round trip until
 * the time the store named: the earliest a call of that cost could pass if nobody else called.
 * Other callers only push that time later, so a local refusal is never one the store would have
 * let through — except after an operator's `resetLimit` on another instance (this one's own reset
 * clears it). Keyed by the limiter's parameters too: a caller moved to a bigger limit is asked
 * about afresh.
 */
export class DenialCache {
  private readonly denials = new Map<string, Denial>();

  constructor(private readonly maxEntries = 10_000) {}

  lookup(request: LimitRequest, now: number): LimitResult | undefined {
    const key = denialKey(request);
    const denial = this.denials.get(key);
    if (!denial) return undefined;
    if (denial.result.retryAt <= now) {
      this.denials.delete(key);
      return undefined;
    }
    // A smaller call than the one refused might fit.
    return request.cost >= denial.cost ? denial.result : undefined;
  }

  remember(request: LimitRequest, result: LimitResult, now: number): void {
    if (result.success || result.retryAt === undefined || result.retryAt <= now) return;
    const key = denialKey(request);
    this.denials.delete(key); // set again below, as the newest: the oldest are dropped first
    const { success, limit, remaining, reset, retryAt } = result;
    this.denials.set(key, { cost: request.cost, result: { success, limit, remaining, reset, retryAt } });
    for (const [oldest] of this.denials) {
      if (this.denials.size <= this.maxEntries) break;
      this.denials.delete(oldest);
    }
  }

  /** Forgets every denial of one identifier in one prefix (a `resetLimit` here). */
  forget(prefix: string, identifier: string): void {
    const start = `${prefix}\n${identifier}\n`;
    for (const key of this.denials.keys()) if (key.startsWith(start)) this.denials.delete(key);
  }
}

function denialKey({ prefix, identifier, limiter }: LimitRequest): string {
  return `${prefix}\n${identifier}\n${limiterTag(limiter)}`;
}

function limiterTag(limiter: Limiter): string {
  return limiter.algorithm === 'token-bucket'
    ? `tb:${limiter.maxTokens}:${limiter.intervalMs}:${limiter.refillRate}`
    : `${limiter.algorithm}:${limiter.limit}:${limiter.windowMs}`;
}
