import { type BackendClock, createBackendClock } from '../backend-clock.js';
import { limitKey, limitKeys } from '../limit-key.js';
import type {
  CheckRequest,
  CheckResult,
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
import {
  type CheckPart,
  checkCall,
  decodeCheckReply,
  limitArgs,
  type PartReply,
  splitBySlot,
  wholeCheck,
} from './check-call.js';
import { decodeOutcome, encodeOutcome } from './outcome-codec.js';
import type { RegisteredScript, ScriptName } from './registry.js';
import { ReplicaShortfall } from './replica-shortfall.js';

/** One script to run: its keys live in one hash slot. */
export interface ScriptCall {
  readonly script: { readonly name: string; readonly script: string; readonly sha1: string };
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
  /**
   * A write a failover must not lose (a claim, a complete): a runner that waits for replicas
   * answers a {@link ReplicaShortfall} when too few acknowledged it.
   */
  readonly durable?: boolean;
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

  /** `unreplicatedOk`: whether a reply stands although too few replicas have the write. */
  async function runOne(
    operation: string,
    call: ScriptCall,
    unreplicatedOk?: (reply: unknown) => boolean,
  ): Promise<unknown> {
    const [reply] = await runner.run([call]);
    if (reply instanceof ReplicaShortfall && unreplicatedOk?.(reply.reply)) return reply.reply;
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
      let unreplicatedClaim = false;
      const decoded = parts.map((part, index): PartReply | undefined => {
        const reply = replies[index];
        const shortfall = reply instanceof ReplicaShortfall ? reply : undefined;
        if (reply instanceof Error && !shortfall) {
          failure ??= reply;
          return undefined;
        }
        const answer = decodeCheckReply(shortfall ? shortfall.reply : reply, part, clock);
        // Only an acquired claim wrote what a failover must keep; a replay or a wait wrote nothing.
        if (shortfall && answer.claim?.status === 'acquired') {
          failure ??= shortfall;
          unreplicatedClaim = true;
        }
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
      // The handler will not run: free the key for a retry instead of leaving it leased.
      if (unreplicatedClaim && claim) {
        await runner.run([{ script: scripts.release, keys: [claim.key], args: [claim.claimId] }]);
      }
      if (failure) throw concise('check', failure);
      return claim ? { limits: results, claim: claimResult! } : { limits: results };
    },

    async complete({ key, claimId, outcome, ttlMs }: CompleteRequest): Promise<FencedResult> {
      const args = [claimId, encodeOutcome(outcome), ttlMs];
      const call = { script: scripts.complete, keys: [key], args, durable: true };
      // A fenced complete wrote nothing: no replica needs to have it.
      return Number(await runOne('complete', call, (stored) => Number(stored) !== 1)) === 1 ? 'ok' : 'fenced';
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
