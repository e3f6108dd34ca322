import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedWindow, type Limiter, slidingWindow, tokenBucket } from '../rate-limit/algorithms.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import { ALGORITHM_CODES, LIMIT_FUNCTIONS } from './lua/limit-functions.js';
import { type LimitState, peekLimit } from './memory/rate-limiters.js';

/**
 * Runs `peek_limit` (and `commit_limit` when it allows) at an explicit time, and reports the
 * verdict with the key's TTL. The sequence runs on simulated time, so the key's expiry is kept
 * beside it as a point in simulated time (`:expires-at`) and the key itself never expires on the
 * real clock: each call first applies it (the key is gone once its time has come, else its TTL
 * is what is left), and after a commit reads the TTL inside the script (Redis freezes time during
 * a script, so it is exact) and stores it back. A commit that leaves the expiry alone keeps it.
 */
const HARNESS = `${LIMIT_FUNCTIONS}
local now = tonumber(ARGV[6])
local expiresAt = tonumber(redis.call('GET', KEYS[1] .. ':expires-at'))
if expiresAt then
  if expiresAt <= now then redis.call('DEL', KEYS[1], KEYS[1] .. ':expires-at')
  else redis.call('PEXPIRE', KEYS[1], expiresAt - now) end
end
local verdict = peek_limit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4]), tonumber(ARGV[5]), now)
local ttl = -1
if verdict[1] == 1 then
  commit_limit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), verdict, now)
  ttl = redis.call('PTTL', KEYS[1])
  redis.call('SET', KEYS[1] .. ':expires-at', string.format('%.0f', now + ttl))
end
redis.call('PERSIST', KEYS[1])
local retryAt = 0
if verdict[1] == 0 then retryAt = verdict[5] end
return {verdict[1], verdict[2], string.format('%.0f', verdict[3]), verdict[4], string.format('%.0f', retryAt), ttl}
`;

const START = 1_767_225_600_000; // 2026-01-01, a window boundary for every length used here

/** Limiters a per-call choice could switch between: same algorithm, other sizes and windows. */
const limiters = {
  fixed: [fixedWindow(5, '10 s'), fixedWindow(9, '10 s'), fixedWindow(3, '4 s')],
  sliding: [slidingWindow(5, '10 s'), slidingWindow(12, '10 s'), slidingWindow(4, '3 s')],
  bucket: [tokenBucket(2, '5 s', 6), tokenBucket(1, '3 s', 3), tokenBucket(4, '5 s', 10)],
} satisfies Record<string, Limiter[]>;

const step = fc.record({
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 15_000 })),
  cost: fc.integer({ min: 1, max: 4 }),
  choice: fc.integer({ min: 0, max: 2 }),
});

/**
 * A refusal's `retryAt` lets the guard refuse locally until then, so it must never be late: a call
 * of the same cost is still refused a millisecond before it. And it must be useful: when the call
 * can fit at all, it fits at `retryAt` (the sliding window answers up to 3 ms early: it rounds down, twice).
 */
function expectRetryAtIsTheEarliest(
  state: LimitState | undefined,
  key: string,
  limiter: Limiter,
  cost: number,
  now: number,
  retryAt: number,
): void {
  const where = `retryAt ${retryAt} for ${JSON.stringify(limiter)}, cost ${cost} at ${now}`;
  expect(retryAt, where).toBeGreaterThan(now);
  if (retryAt - 1 > now) expect(peekLimit(state, key, limiter, cost, retryAt - 1).success, where).toBe(false);
  const capacity = limiter.algorithm === 'token-bucket' ? limiter.maxTokens : limiter.limit;
  if (cost > capacity) return;
  const slack = limiter.algorithm === 'sliding-window' ? 3 : 0;
  expect(peekLimit(state, key, limiter, cost, retryAt + slack).success, where).toBe(true);
}

describe('rate-limit arithmetic: Lua (real Redis) and the memory store agree', () => {
  const { redis } = gatewayForThisFile();

  it.each(Object.keys(limiters) as (keyof typeof limiters)[])(
    '%s: same verdict, remaining, reset, retry time and TTL for every sequence of calls',
    async (family) => {
      const client = redis();
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 9_999 }),
          fc.array(step, { maxLength: 25 }),
          async (offset, steps) => {
            const key = `arith:${family}:${run++}:${Math.random()}`;
            const states = new Map<string, LimitState>();
            let now = START + offset;
            for (const { advanceMs, cost, choice } of steps) {
              now += advanceMs;
              const limiter = limiters[family][choice]!;
              // As the memory store's lookups do (and Redis does with the key): expired state is gone.
              const known = states.get(key);
              if (known && known.expiresAt <= now) states.delete(key);
              const verdict = peekLimit(states.get(key), key, limiter, cost, now);
              if (verdict.success) verdict.take(states);
              else expectRetryAtIsTheEarliest(states.get(key), key, limiter, cost, now, verdict.retryAt!);
              const expected = [
                verdict.success ? 1 : 0,
                verdict.remaining,
                verdict.reset,
                verdict.limit,
                verdict.success ? 0 : verdict.retryAt,
                verdict.success ? states.get(key)!.expiresAt - now : -1,
              ];
              const [a, b, c] =
                limiter.algorithm === 'token-bucket'
                  ? [limiter.maxTokens, limiter.intervalMs, limiter.refillRate]
                  : [limiter.limit, limiter.windowMs, 0];
              const reply = (await client.eval(
                HARNESS,
                [key],
                [ALGORITHM_CODES[limiter.algorithm], a, b, c, cost, now],
              )) as unknown[];
              const [ttl, ...answer] = reply.map(Number).reverse();
              const where = `at +${now - START} ms, ${JSON.stringify(limiter)}, cost ${cost}`;
              expect(answer.reverse(), where).toEqual(expected.slice(0, 5));
              // Redis 7.0's PTTL reads the clock again, which may have ticked since PEXPIRE.
              expect(
                Math.abs(ttl! - expected[5]!),
                `${where}: TTL ${ttl} vs ${expected[5]}`,
              ).toBeLessThanOrEqual(1);
            }
          },
        ),
        { numRuns: 60, seed: 13 },
      );
    },
    60_000,
  );
});
