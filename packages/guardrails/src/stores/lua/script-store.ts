import type { Limiter } from '../../rate-limit/algorithms.js';
import { type BackendClock, createBackendClock } from '../backend-clock.js';
import { keySlot } from '../key-slot.js';
import { limitKey, limitKeys } from '../limit-key.js';
import type {
  CheckRequest,
  CheckResult,
  ClaimRequest,
  ClaimResult,
  CompleteRequest,
  EvictRequest,
  EvictResult,
  ExtendRequest,
  ExtendResult,
  FencedResult,
  GuardrailsStore,
  LimitRequest,
  LimitResult,
  RecordView,
  ReleaseRequest,
  ResetLimitRequest,
} from '../types.js';
import { ALGORITHM_CODES } from './limit-functions.js';
import { decodeClaimReply, decodeOutcome, encodeOutcome } from './outcome-codec.js';
import type { RegisteredScript, ScriptName } from './registry.js';

/** One script to run: its keys live in one hash slot. */
export interface ScriptCall {
  readonly script: { readonly name: string; readonly script: string; readonly sha1: string };
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

/**
 * Runs scripts on a Redis-protocol backend. Result `i` is call `i`'s reply, or an `Error` when it
 * failed (a backend that cannot be reached fails every call). A runner sends a script's source
 * only when the backend does not know its SHA.
 */
export interface ScriptRunner {
  /**
   * `'cluster'`: keys of one call may not share a node, so the store sends one call per hash
   * slot (at once) and settles across them.
   */
  readonly topology: 'single' | 'cluster';
  run(calls: readonly ScriptCall[]): Promise<readonly unknown[]>;
}

/** The part of a check that runs as one script: some limits (by request index), maybe the claim. */
interface CheckPart {
  indexes: number[];
  claim: boolean;
}

interface PartReply {
  results: LimitResult[];
  claim?: ClaimResult;
  /** Whether this part took its limits' units. */
  took: boolean;
}

/**
 * The store operations every Redis-protocol backend shares: requests to script calls and
 * replies back, Redis time translated to the caller's clock, and — on a cluster — a check split
 * by slot whose refused calls get their units back.
 */
export function createScriptStore(
  runner: ScriptRunner,
  scripts: Record<ScriptName, RegisteredScript>,
): Required<Omit<GuardrailsStore, 'maxResultBytes'>> {
  const clock = createBackendClock();

  async function runOne(operation: string, call: ScriptCall): Promise<unknown> {
    const [reply] = await runner.run([call]);
    if (reply instanceof Error) throw concise(operation, reply);
    return reply;
  }

  return {
    async check({ limits, claim }: CheckRequest): Promise<CheckResult> {
      if (limits.length === 0 && !claim) return { limits: [] };
      const parts = runner.topology === 'cluster' ? splitBySlot(limits, claim) : [wholeCheck(limits, claim)];
      const replies = await runner.run(
        parts.map((part) => checkCall(scripts.check, part, limits, claim, clock)),
      );

      const results: LimitResult[] = new Array(limits.length);
      let claimResult: ClaimResult | undefined;
      let failure: Error | undefined;
      const decoded = parts.map((part, index): PartReply | undefined => {
        const reply = replies[index];
        if (reply instanceof Error) {
          failure ??= reply;
          return undefined;
        }
        const answer = decodeCheckReply(reply, part, clock);
        answer.results.forEach((result, at) => {
          results[part.indexes[at]!] = result;
        });
        if (answer.claim) claimResult = answer.claim;
        return answer;
      });

      if (parts.length > 1) {
        const refused = failure !== undefined || decoded.some((answer) => answer && !answer.took);
        if (refused) await refundParts(parts, decoded, limits, results);
      }
      if (failure) throw concise('check', failure);
      return claim ? { limits: results, claim: claimResult! } : { limits: results };
    },

    async complete({ key, claimId, outcome, ttlMs }: CompleteRequest): Promise<FencedResult> {
      const call = { script: scripts.complete, keys: [key], args: [claimId, encodeOutcome(outcome), ttlMs] };
      return Number(await runOne('complete', call)) === 1 ? 'ok' : 'fenced';
    },

    async extend({ key, claimId, leaseMs, deadline }: ExtendRequest): Promise<ExtendResult> {
      const call = {
        script: scripts.extend,
        keys: [key],
        args: [claimId, leaseMs, clock.toBackend(deadline)],
      };
      const reply = (await runOne('extend', call)) as [number, number];
      clock.observe(Number(reply[1]));
      const answer = Number(reply[0]);
      return answer === 1 ? 'ok' : answer === 2 ? 'expired' : 'fenced';
    },

    async release({ key, claimId }: ReleaseRequest): Promise<FencedResult> {
      const released = await runOne('release', { script: scripts.release, keys: [key], args: [claimId] });
      return Number(released) === 1 ? 'ok' : 'fenced';
    },

    async inspect(key: string): Promise<RecordView> {
      const reply = (await runOne('inspect', {
        script: scripts.inspect,
        keys: [key],
        args: [],
      })) as unknown[];
      const now = Number(reply[0]);
      clock.observe(now);
      return decodeRecordView(reply, clock);
    },

    async evict({ key, force = false }: EvictRequest): Promise<EvictResult> {
      const answer = Number(
        await runOne('evict', { script: scripts.evict, keys: [key], args: [force ? '1' : '0'] }),
      );
      return answer === 1 ? 'evicted' : answer === 2 ? 'in-progress' : 'absent';
    },

    async peekLimit(limit: LimitRequest): Promise<LimitResult> {
      const call = { script: scripts.peekLimit, keys: [limitKey(limit)], args: limitArgs(limit) };
      const reply = (await runOne('peekLimit', call)) as unknown[];
      clock.observe(Number(reply[4]));
      return {
        success: Number(reply[0]) === 1,
        remaining: Number(reply[1]),
        reset: clock.toLocal(Number(reply[2])),
        limit: Number(reply[3]),
      };
    },

    async resetLimit(request: ResetLimitRequest): Promise<'reset' | 'absent'> {
      const call = { script: scripts.resetLimit, keys: limitKeys(request), args: [] };
      return Number(await runOne('resetLimit', call)) > 0 ? 'reset' : 'absent';
    },
  };

  /**
   * A cluster refused the call in one slot after others took their units (or a slot failed):
   * give them back, best effort — a refund that fails leaves those units spent until their window
   * ends, which is what the call would have cost before this existed.
   */
  async function refundParts(
    parts: CheckPart[],
    decoded: (PartReply | undefined)[],
    limits: readonly LimitRequest[],
    results: LimitResult[],
  ): Promise<void> {
    const refunds: ScriptCall[] = [];
    parts.forEach((part, index) => {
      if (!decoded[index]?.took || part.indexes.length === 0) return;
      const keys = part.indexes.map((at) => limitKey(limits[at]!));
      const args = part.indexes.flatMap((at) => limitArgs(limits[at]!));
      refunds.push({ script: scripts.refund, keys, args });
      for (const at of part.indexes)
        results[at] = { ...results[at]!, remaining: results[at]!.remaining + limits[at]!.cost };
    });
    if (refunds.length > 0) await runner.run(refunds).catch(() => undefined);
  }
}

function wholeCheck(limits: readonly LimitRequest[], claim: ClaimRequest | undefined): CheckPart {
  return { indexes: limits.map((_, index) => index), claim: claim !== undefined };
}

/** Groups the limits by hash slot; the claim joins the group of its slot. */
function splitBySlot(limits: readonly LimitRequest[], claim: ClaimRequest | undefined): CheckPart[] {
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

function checkCall(
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
  return { script, keys, args };
}

/** algorithm, a, b, c, cost — as `peek_limit` takes them. */
function limitArgs({ limiter, cost }: LimitRequest): number[] {
  const [a, b, c] = limiterParameters(limiter);
  return [ALGORITHM_CODES[limiter.algorithm], a, b, c, cost];
}

function limiterParameters(limiter: Limiter): [number, number, number] {
  return limiter.algorithm === 'token-bucket'
    ? [limiter.maxTokens, limiter.intervalMs, limiter.refillRate]
    : [limiter.limit, limiter.windowMs, 0];
}

function decodeCheckReply(reply: unknown, part: CheckPart, clock: BackendClock): PartReply {
  if (!Array.isArray(reply) || !Array.isArray(reply[1])) {
    throw new Error(`[trpc-guardrails] unexpected check reply: ${JSON.stringify(reply).slice(0, 200)}`);
  }
  clock.observe(Number(reply[0]));
  const flat = reply[1] as unknown[];
  const results: LimitResult[] = part.indexes.map((_, at) => ({
    success: Number(flat[at * 4]) === 1,
    remaining: Number(flat[at * 4 + 1]),
    reset: clock.toLocal(Number(flat[at * 4 + 2])),
    limit: Number(flat[at * 4 + 3]),
  }));
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

/** `INSPECT_SCRIPT`'s reply: {now, pttl, s, f, t, v, l, o, d}. */
function decodeRecordView(reply: unknown[], clock: BackendClock): RecordView {
  const [now, pttl, state, fingerprint, token, takeover, leaseUntil, outcome, completedAt] = reply;
  if (state !== 'p' && state !== 'd') return { state: 'absent' };
  const expiresAt = clock.toLocal(Number(now) + Math.max(0, Number(pttl)));
  const common = { fingerprint: String(fingerprint), token: Number(token), expiresAt };
  if (state === 'p') {
    return {
      state: 'in-progress',
      ...common,
      takeover: Number(takeover) === 1,
      leaseExpiresAt: clock.toLocal(Number(leaseUntil)),
    };
  }
  return {
    state: 'done',
    ...common,
    outcome: decodeOutcome(outcome),
    completedAt:
      completedAt === null || completedAt === undefined ? undefined : clock.toLocal(Number(completedAt)),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Clients put the whole request in their error messages (@upstash/redis: an outcome, every
 * key): keep the reason for logs and events, and the original as `cause`.
 */
export function concise(operation: string, error: unknown): Error {
  const reason = errorMessage(error).split(', command was:')[0]!.slice(0, 300);
  return new Error(`[trpc-guardrails] ${operation} failed: ${reason}`, { cause: error });
}
