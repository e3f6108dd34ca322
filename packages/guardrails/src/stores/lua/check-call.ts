import type { Limiter } from '../../rate-limit/algorithms.js';
import type { BackendClock } from '../backend-clock.js';
import { keySlot } from '../key-slot.js';
import { limitKey } from '../limit-key.js';
import type { ClaimRequest, ClaimResult, LimitRequest, LimitResult } from '../types.js';
import { ALGORITHM_CODES } from './limit-functions.js';
import { decodeClaimReply } from './outcome-codec.js';
import type { RegisteredScript } from './registry.js';
import type { ScriptCall } from './script-store.js';

/**
 * A check as script calls: the whole check in one call, or on a cluster one call per hash slot
 * (the claim with the limits of its slot); and each call's reply decoded.
 */

/** The part of a check that runs as one script: some limits (by request index), maybe the claim. */
export interface CheckPart {
  indexes: number[];
  claim: boolean;
}

export interface PartReply {
  results: LimitResult[];
  claim?: ClaimResult;
  /** Whether this part took its limits' units. */
  took: boolean;
}

export function wholeCheck(limits: readonly LimitRequest[], claim: ClaimRequest | undefined): CheckPart {
  return { indexes: limits.map((_, index) => index), claim: claim !== undefined };
}

/** Groups the limits by hash slot; the claim joins the group of its slot. */
export function splitBySlot(limits: readonly LimitRequest[], claim: ClaimRequest | undefined): CheckPart[] {
  const bySlot = new Map<number, CheckPart>();
  const partOf = (slot: number) => {
    let part = bySlot.get(slot);
    if (!part) {
      part = { indexes: [], claim: false };
      bySlot.set(slot, part);
    }
    return part;
  };
  limits.forEach((limit, index) => {
    partOf(keySlot(limitKey(limit))).indexes.push(index);
  });
  if (claim) partOf(keySlot(claim.key)).claim = true;
  return [...bySlot.values()];
}

export function checkCall(
  script: RegisteredScript,
  part: CheckPart,
  limits: readonly LimitRequest[],
  claim: ClaimRequest | undefined,
  clock: BackendClock,
): ScriptCall {
  const keys = part.indexes.map((index) => limitKey(limits[index]!));
  const args: (string | number)[] = [part.indexes.length];
  for (const index of part.indexes) args.push(...limitArgs(limits[index]!));
  if (part.claim && claim) {
    keys.push(claim.key);
    args.push(
      claim.fingerprint,
      claim.claimId,
      claim.leaseMs,
      claim.ttlMs,
      clock.toBackend(claim.deadline),
      claim.graceMs,
    );
  }
  return { script, keys, args, durable: part.claim };
}

/** algorithm, a, b, c, cost — as `peek_limit` takes them. */
export function limitArgs({ limiter, cost }: LimitRequest): number[] {
  const [a, b, c] = limiterParameters(limiter);
  return [ALGORITHM_CODES[limiter.algorithm], a, b, c, cost];
}

function limiterParameters(limiter: Limiter): [number, number, number] {
  return limiter.algorithm === 'token-bucket'
    ? [limiter.maxTokens, limiter.intervalMs, limiter.refillRate]
    : [limiter.limit, limiter.windowMs, 0];
}

/** Values per limit in a check's reply. */
const LIMIT_REPLY = 5;

export function decodeCheckReply(reply: unknown, part: CheckPart, clock: BackendClock): PartReply {
  if (!Array.isArray(reply) || !Array.isArray(reply[1])) {
    throw new Error(`[trpc-guardrails] unexpected check reply: ${JSON.stringify(reply).slice(0, 200)}`);
  }
  clock.observe(Number(reply[0]));
  const flat = reply[1] as unknown[];
  const results: LimitResult[] = part.indexes.map((_, index) => {
    const at = index * LIMIT_REPLY;
    const result: LimitResult = {
      success: Number(flat[at]) === 1,
      remaining: Number(flat[at + 1]),
      reset: clock.toLocal(Number(flat[at + 2])),
      limit: Number(flat[at + 3]),
    };
    const retryAt = Number(flat[at + 4]);
    if (!result.success && retryAt > 0) result.retryAt = clock.toLocal(retryAt);
    return result;
  });
  let claim: ClaimResult | undefined;
  if (part.claim) {
    const decoded = decodeClaimReply(reply[2]).claim;
    claim =
      decoded.status === 'in-progress'
        ? { status: 'in-progress', leaseExpiresAt: clock.toLocal(decoded.leaseExpiresAt) }
        : decoded;
  }
  const took = results.every((result) => result.success) && claim?.status !== 'expired';
  return claim ? { results, claim, took } : { results, took };
}
