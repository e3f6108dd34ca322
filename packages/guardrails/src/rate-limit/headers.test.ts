import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { type Item, parseItem, parseList } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { resolveGuardConfig } from '../guard/runtime.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { fixedWindow, slidingWindow, tokenBucket } from './algorithms.js';
import { decideLimits } from './decision.js';
import {
  type HeadersTarget,
  type ScopeHeaderValues,
  writeRateLimitHeaders,
  writeRetryAfter,
} from './headers.js';
import type { PlannedLimit } from './plan.js';

const NOW = 1_800_000_000_000;

/** One parsed list item as `{ name, ...params }`; the name must be an sf-string (draft §3, §4). */
function items(field: string | null): Record<string, unknown>[] {
  expect(field).not.toBeNull();
  return parseList(field!).map((member) => {
    const [name, params] = member as Item;
    expect(typeof name).toBe('string');
    return { name, ...Object.fromEntries(params) };
  });
}

function integer(field: string | null): number {
  expect(field).not.toBeNull();
  const [value] = parseItem(field!);
  expect(Number.isInteger(value)).toBe(true);
  return value as number;
}

const ip = (over: Partial<ScopeHeaderValues> = {}): ScopeHeaderValues => ({
  scope: 'ip',
  limiter: slidingWindow(20, '10 s'),
  success: true,
  limit: 20,
  remaining: 15,
  reset: NOW + 10_000,
  ...over,
});
const user = (over: Partial<ScopeHeaderValues> = {}): ScopeHeaderValues => ({
  scope: 'user',
  limiter: fixedWindow(100, '60 s'),
  success: true,
  limit: 100,
  remaining: 40,
  reset: NOW + 60_000,
  ...over,
});

describe('writeRateLimitHeaders', () => {
  it('writes one policy item and one service limit item per scope', () => {
    const headers = new Headers();
    writeRateLimitHeaders(headers, [ip(), user({ remaining: 3 })], NOW);
    expect(items(headers.get('RateLimit-Policy'))).toEqual([
      { name: 'ip', q: 20, w: 10 },
      { name: 'user', q: 100, w: 60 },
    ]);
    expect(items(headers.get('RateLimit'))).toEqual([
      { name: 'ip', r: 15, t: 10 },
      { name: 'user', r: 3, t: 60 },
    ]);
    // The legacy fields show the single most restrictive scope.
    expect(integer(headers.get('X-RateLimit-Limit'))).toBe(100);
    expect(integer(headers.get('X-RateLimit-Remaining'))).toBe(3);
    expect(integer(headers.get('X-RateLimit-Reset'))).toBe((NOW + 60_000) / 1000);
    expect(headers.get('Retry-After')).toBeNull();
  });

  it('merges the calls of a batch by scope name, keeping the most restrictive state of each', () => {
    const headers = new Headers();
    writeRateLimitHeaders(headers, [ip({ remaining: 9 }), user({ remaining: 50 })], NOW);
    writeRateLimitHeaders(headers, [ip({ remaining: 12 })], NOW); // looser: ignored
    writeRateLimitHeaders(headers, [user({ remaining: 50, reset: NOW + 70_000 })], NOW); // tie: later reset wins
    writeRateLimitHeaders(headers, [{ ...ip(), scope: 'tenant', remaining: 30 }], NOW); // new scope: appended
    expect(items(headers.get('RateLimit'))).toEqual([
      { name: 'ip', r: 9, t: 10 },
      { name: 'user', r: 50, t: 70 },
      { name: 'tenant', r: 30, t: 10 },
    ]);
    expect(items(headers.get('RateLimit-Policy')).map((item) => item.name)).toEqual(['ip', 'user', 'tenant']);
    expect(integer(headers.get('X-RateLimit-Remaining'))).toBe(9);
  });

  it('re-serialises t from the kept reset at each write, not from an earlier response', () => {
    const headers = new Headers();
    writeRateLimitHeaders(headers, [ip({ remaining: 1 })], NOW);
    writeRateLimitHeaders(headers, [user()], NOW + 4_000);
    expect(items(headers.get('RateLimit'))[0]).toEqual({ name: 'ip', r: 1, t: 6 });
  });

  it('keeps one merge state per target', () => {
    const first = new Headers();
    const second = new Headers();
    writeRateLimitHeaders(first, [ip({ remaining: 1 })], NOW);
    writeRateLimitHeaders(second, [user()], NOW);
    expect(items(second.get('RateLimit'))).toEqual([{ name: 'user', r: 40, t: 60 }]);
    expect(items(first.get('RateLimit'))).toEqual([{ name: 'ip', r: 1, t: 10 }]);
  });

  it('advertises a token bucket by its sustained rate, with the bucket size as a vendor burst parameter', () => {
    const headers = new Headers();
    const tenant: ScopeHeaderValues = {
      scope: 'tenant',
      limiter: tokenBucket(5, '60 s', 50),
      success: true,
      limit: 50,
      remaining: 49,
      reset: NOW + 12_000,
    };
    writeRateLimitHeaders(headers, [tenant], NOW);
    expect(items(headers.get('RateLimit-Policy'))).toEqual([
      { name: 'tenant', q: 5, w: 60, 'guardrails-burst': 50 },
    ]);
    expect(items(headers.get('RateLimit'))).toEqual([{ name: 'tenant', r: 49, t: 12 }]);
    // X-RateLimit-Remaining counts tokens, so the limit beside it is the bucket size.
    expect(integer(headers.get('X-RateLimit-Limit'))).toBe(50);
  });

  it('shows a denying scope in X-RateLimit-* and never sets Retry-After before its t', () => {
    const headers = new Headers();
    const denied = user({ success: false, remaining: 0, reset: NOW + 42_500 });
    writeRateLimitHeaders(headers, [ip({ remaining: 0, reset: NOW + 90_000 }), denied], NOW);
    writeRetryAfter(headers, 5, NOW); // a shorter wait asked for later does not lower it
    const limit = items(headers.get('RateLimit')).find((item) => item.name === 'user')!;
    expect(limit).toEqual({ name: 'user', r: 0, t: 43 });
    expect(integer(headers.get('Retry-After'))).toBeGreaterThanOrEqual(limit.t as number);
    expect(integer(headers.get('X-RateLimit-Limit'))).toBe(100);
    expect(integer(headers.get('X-RateLimit-Reset'))).toBe(Math.ceil((NOW + 42_500) / 1000));
  });

  it('keeps the longest wait of a batch in Retry-After', () => {
    const headers = new Headers();
    writeRateLimitHeaders(headers, [ip({ success: false, remaining: 0, reset: NOW + 8_000 })], NOW);
    writeRetryAfter(headers, 8, NOW);
    writeRateLimitHeaders(headers, [user({ success: false, remaining: 0, reset: NOW + 30_000 })], NOW);
    writeRetryAfter(headers, 30, NOW);
    writeRateLimitHeaders(headers, [ip({ remaining: 0, reset: NOW + 8_000 })], NOW);
    expect(integer(headers.get('Retry-After'))).toBe(30);
    expect(items(headers.get('RateLimit'))).toEqual([
      { name: 'ip', r: 0, t: 8 },
      { name: 'user', r: 0, t: 30 },
    ]);
  });

  it('writes to a Node ServerResponse, and nothing once its headers are sent', () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    writeRateLimitHeaders(res, [ip(), user()], NOW);
    expect(items(String(res.getHeader('RateLimit')))).toHaveLength(2);
    Object.defineProperty(res, 'headersSent', { value: true });
    writeRateLimitHeaders(res, [{ ...ip(), scope: 'tenant' }], NOW);
    expect(items(String(res.getHeader('RateLimit'))).map((item) => item.name)).toEqual(['ip', 'user']);
  });
});

describe('decideLimits', () => {
  const runtime = resolveGuardConfig({
    store: memoryStore(),
    scopes: {
      ip: { limiter: slidingWindow(20, '10 s'), identify: () => '1' },
      tenant: { limiter: tokenBucket(1, '1 h', 10), identify: () => 't' },
    },
  });
  const planned = (name: string, limiter: PlannedLimit['limiter']): PlannedLimit => ({
    scope: runtime.scopes.get(name)!,
    policy: name,
    bucket: undefined,
    limiter,
    identifier: 'x',
    request: { prefix: 'p', identifier: '{x}', limiter, cost: 1 },
  });

  it("hands every planned scope's result to the headers, with the limiter that applied to the call", () => {
    const headers: HeadersTarget = new Headers();
    const perCall = tokenBucket(7, '60 s', 70); // differs from the scope's configured limiter
    const error = decideLimits(
      runtime,
      [planned('ip', slidingWindow(20, '10 s')), planned('tenant', perCall)],
      [
        { success: true, limit: 20, remaining: 19, reset: NOW + 10_000 },
        { success: false, limit: 70, remaining: 0, reset: NOW + 9_000 },
      ],
      'charge',
      headers,
      undefined,
      NOW,
    );
    expect(error?.code).toBe('TOO_MANY_REQUESTS');
    expect(items(headers.get('RateLimit-Policy'))).toEqual([
      { name: 'ip', q: 20, w: 10 },
      { name: 'tenant', q: 7, w: 60, 'guardrails-burst': 70 },
    ]);
    expect(items(headers.get('RateLimit'))).toEqual([
      { name: 'ip', r: 19, t: 10 },
      { name: 'tenant', r: 0, t: 9 },
    ]);
    expect(integer(headers.get('Retry-After'))).toBe(9);
    expect(integer(headers.get('X-RateLimit-Limit'))).toBe(70);
  });
});
