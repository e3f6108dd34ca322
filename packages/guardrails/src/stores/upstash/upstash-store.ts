import { Ratelimit } from '@upstash/ratelimit';
import type { Limiter } from '../../rate-limit/algorithms.js';
import { utf8Length } from '../../utf8-length.js';
import { createBackendClock } from '../backend-clock.js';
import type {
  CheckRequest,
  CheckResult,
  ClaimRequest,
  ClaimResult,
  CompleteResult,
  ExtendResult,
  GuardrailsStore,
  LimitRequest,
  LimitResult,
} from '../types.js';
import { BatchingRedis } from './batching-redis.js';
import { SCRIPTS } from './lua/registry.js';
import { decodeClaimReply, encodeOutcome } from './outcome-codec.js';
import { evalScript, isNoScript, type UpstashRedisClient } from './redis-client.js';

/** Options of {@link upstashStore}. */
export interface UpstashStoreOptions {
  /**
   * The largest request the database accepts, in bytes. Upstash documents 1 MB for older Free
   * and Pay-as-you-go databases and 10 MB today; the smaller default is safe on every plan.
   * Outcomes that would not fit are stored as a "too large to replay" marker instead.
   * @default 1_048_576
   */
  maxRequestBytes?: number;
}

/** Room left in a request for everything but the outcome: command, SHA, key, claim id. */
const REQUEST_FRAMING_BYTES = 1024;

/** What Upstash (and upstash-local) answer when a request or value is over their size limits. */
const TOO_LARGE = /max (request|single record) size exceeded|larger than bodyLimit|too large/i;

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
export function upstashStore(redis: UpstashRedisClient, options: UpstashStoreOptions = {}): GuardrailsStore {
  if (typeof redis?.pipeline !== 'function' || typeof redis?.evalsha !== 'function') {
    throw new TypeError(
      '[trpc-guardrails] upstashStore() needs an @upstash/redis client, e.g. upstashStore(Redis.fromEnv())',
    );
  }
  const { maxRequestBytes = 1_048_576 } = options;
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes <= REQUEST_FRAMING_BYTES) {
    throw new TypeError(
      `[trpc-guardrails] upstashStore({ maxRequestBytes }) must be an integer above ${REQUEST_FRAMING_BYTES}, got ${String(maxRequestBytes)}`,
    );
  }
  const batching = new BatchingRedis(redis);
  const clock = createBackendClock();
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

  function claimArgs(claim: ClaimRequest): (string | number)[] {
    return [
      claim.fingerprint,
      claim.claimId,
      claim.leaseMs,
      claim.ttlMs,
      clock.toBackend(claim.deadline),
      claim.graceMs,
    ];
  }

  function readClaim(reply: unknown): ClaimResult {
    const { claim, now } = decodeClaimReply(reply);
    clock.observe(now);
    return claim.status === 'in-progress'
      ? { status: 'in-progress', leaseExpiresAt: clock.toLocal(claim.leaseExpiresAt) }
      : claim;
  }

  return {
    maxResultBytes: maxRequestBytes - REQUEST_FRAMING_BYTES,

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
      const args = claim && claimArgs(claim);
      if (claim && args) pipeline.evalsha(SCRIPTS.claim.sha1, [claim.key], args);

      let replies: { result: unknown; error?: string }[];
      try {
        replies = (await pipeline.exec({ keepErrors: true })) as typeof replies;
      } catch (failure) {
        const error = concise('check', failure);
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
      if (!claim || !args) return { limits: results };

      const claimReply = replies[calls.length]!;
      if (!claimReply.error) return { limits: results, claim: readClaim(claimReply.result) };
      // First use of the script on this Redis: send its source once, with the same arguments.
      if (isNoScript(claimReply.error)) {
        return {
          limits: results,
          claim: readClaim(await redis.eval(SCRIPTS.claim.script, [claim.key], args)),
        };
      }
      throw new Error(`[trpc-guardrails] claim script failed: ${claimReply.error}`);
    },

    async complete({ key, claimId, outcome, ttlMs }): Promise<CompleteResult> {
      const encoded = encodeOutcome(outcome);
      // The request carries the outcome JSON-escaped: measure that, not the outcome.
      if (utf8Length(JSON.stringify(encoded)) + REQUEST_FRAMING_BYTES > maxRequestBytes) return 'too-large';
      let stored: number;
      try {
        stored = await evalScript<number>(redis, SCRIPTS.complete, [key], [claimId, encoded, ttlMs]);
      } catch (error) {
        if (TOO_LARGE.test(errorMessage(error))) return 'too-large';
        throw concise('complete', error);
      }
      return Number(stored) === 1 ? 'ok' : 'fenced';
    },

    async extend({ key, claimId, leaseMs, deadline }): Promise<ExtendResult> {
      const reply = await evalScript<[number, number]>(
        redis,
        SCRIPTS.extend,
        [key],
        [claimId, leaseMs, clock.toBackend(deadline)],
      );
      clock.observe(Number(reply[1]));
      const answer = Number(reply[0]);
      return answer === 1 ? 'ok' : answer === 2 ? 'expired' : 'fenced';
    },

    async release({ key, claimId }) {
      const released = await evalScript<number>(redis, SCRIPTS.release, [key], [claimId]);
      return Number(released) === 1 ? 'ok' : 'fenced';
    },
  };
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

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * @upstash/redis puts the whole request in its error messages (an outcome, every key): keep the
 * reason for logs and events, and the original as `cause`.
 */
function concise(operation: string, error: unknown): Error {
  const reason = errorMessage(error).split(', command was:')[0]!.slice(0, 300);
  return new Error(`[trpc-guardrails] ${operation} failed: ${reason}`, { cause: error });
}
