import { Ratelimit } from '@upstash/ratelimit';
import type { Limiter } from '../../rate-limit/algorithms.js';
import type {
  CheckRequest,
  CheckResult,
  ClaimRequest,
  ClaimResult,
  GuardrailsStore,
  LimitRequest,
  LimitResult,
} from '../types.js';
import { BatchingRedis } from './batching-redis.js';
import { SCRIPTS } from './lua/registry.js';
import { decodeClaimReply, encodeOutcome } from './outcome-codec.js';
import { evalScript, isNoScript, type UpstashRedisClient } from './redis-client.js';

/**
 * A store on Upstash Redis over HTTP (works at the edge). Rate limits run through
 * `@upstash/ratelimit`; idempotency records through this package's Lua scripts, one key per
 * record. All limits of a call and its idempotency claim travel in one pipeline request.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 * import { upstashStore } from 'trpc-guardrails/upstash';
 * const store = upstashStore(Redis.fromEnv());
 * ```
 */
export function upstashStore(redis: UpstashRedisClient): GuardrailsStore {
  if (typeof redis?.pipeline !== 'function' || typeof redis?.evalsha !== 'function') {
    throw new TypeError(
      '[trpc-guardrails] upstashStore() needs an @upstash/redis client, e.g. upstashStore(Redis.fromEnv())',
    );
  }
  const batching = new BatchingRedis(redis);
  // Limiters are made once at setup and reused, so their identity (and the prefix) finds the
  // Ratelimit without serializing anything per call.
  const limiters = new WeakMap<Limiter, Map<string, Ratelimit>>();

  function ratelimitFor({ prefix, limiter }: LimitRequest): Ratelimit {
    let byPrefix = limiters.get(limiter);
    if (!byPrefix) {
      byPrefix = new Map();
      limiters.set(limiter, byPrefix);
    }
    let ratelimit = byPrefix.get(prefix);
    if (!ratelimit) {
      ratelimit = new Ratelimit({
        redis: batching as never,
        limiter: toUpstashLimiter(limiter),
        prefix,
        // Our own timeout applies (with onStoreError); Ratelimit's would let calls pass silently.
        timeout: 0,
        // Stores must agree across instances; a per-process block cache would not.
        ephemeralCache: false,
        analytics: false,
      });
      byPrefix.set(prefix, ratelimit);
    }
    return ratelimit;
  }

  async function claimAgain(claim: ClaimRequest): Promise<ClaimResult> {
    return decodeClaimReply(await evalScript(redis, SCRIPTS.claim, [claim.key], claimArgs(claim)));
  }

  return {
    async check({ limits, claim }: CheckRequest): Promise<CheckResult> {
      const { value: pending, calls } = batching.collect(() =>
        limits.map((limit) => ratelimitFor(limit).limit(limit.identifier, { rate: limit.cost })),
      );
      if (calls.length === 0 && !claim) return { limits: await settle(pending) };

      const pipeline = redis.pipeline();
      for (const call of calls) {
        if (call.command === 'evalsha') pipeline.evalsha(call.script, call.keys, call.args);
        else pipeline.eval(call.script, call.keys, call.args);
      }
      if (claim) pipeline.evalsha(SCRIPTS.claim.sha1, [claim.key], claimArgs(claim));

      let replies: { result: unknown; error?: string }[];
      try {
        replies = (await pipeline.exec({ keepErrors: true })) as typeof replies;
      } catch (error) {
        for (const call of calls) call.reject(error);
        await Promise.allSettled(pending);
        throw error;
      }
      calls.forEach((call, index) => {
        const reply = replies[index]!;
        if (reply.error) call.reject(new Error(reply.error));
        else call.resolve(reply.result);
      });
      const results = await settle(pending);
      if (!claim) return { limits: results };

      const claimReply = replies[calls.length]!;
      if (!claimReply.error) return { limits: results, claim: decodeClaimReply(claimReply.result) };
      // First use of the script on this Redis: send its source once.
      if (isNoScript(claimReply.error)) return { limits: results, claim: await claimAgain(claim) };
      throw new Error(`[trpc-guardrails] claim script failed: ${claimReply.error}`);
    },

    async complete({ key, claimId, outcome, ttlMs }) {
      const stored = await evalScript<number>(
        redis,
        SCRIPTS.complete,
        [key],
        [claimId, encodeOutcome(outcome), ttlMs],
      );
      return Number(stored) === 1 ? 'ok' : 'fenced';
    },

    async extend({ key, claimId, leaseMs }) {
      const extended = await evalScript<number>(redis, SCRIPTS.extend, [key], [claimId, leaseMs]);
      return Number(extended) === 1 ? 'ok' : 'fenced';
    },

    async release({ key, claimId }) {
      const released = await evalScript<number>(redis, SCRIPTS.release, [key], [claimId]);
      return Number(released) === 1 ? 'ok' : 'fenced';
    },
  };
}

function claimArgs(claim: ClaimRequest): (string | number)[] {
  return [claim.fingerprint, claim.claimId, claim.leaseMs, claim.ttlMs];
}

async function settle(pending: Promise<Awaited<ReturnType<Ratelimit['limit']>>>[]): Promise<LimitResult[]> {
  const responses = await Promise.all(pending);
  return responses.map(({ success, limit, remaining, reset }) => ({ success, limit, remaining, reset }));
}

function toUpstashLimiter(limiter: Limiter) {
  switch (limiter.algorithm) {
    case 'sliding-window':
      return Ratelimit.slidingWindow(limiter.limit, limiter.window);
    case 'fixed-window':
      return Ratelimit.fixedWindow(limiter.limit, limiter.window);
    case 'token-bucket':
      return Ratelimit.tokenBucket(limiter.refillRate, limiter.interval, limiter.maxTokens);
  }
}
