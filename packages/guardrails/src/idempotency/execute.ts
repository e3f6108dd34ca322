import { TRPCError } from '@trpc/server';
import { type MiddlewareResult, middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import { rejection } from '../errors.js';
import { emitEvent } from '../events.js';
import type { GuardRuntime } from '../guard/runtime.js';
import { withTimeout } from '../guard/with-timeout.js';
import { type HeadersTarget, writeReplayed, writeRetryAfter } from '../rate-limit/headers.js';
import type { ClaimResult, StoredOutcome } from '../stores/types.js';
import { createIdempotencyContext } from './execution-state.js';
import { encodeError, encodeResult, replayOutcome } from './outcome.js';
import type { ClaimPlan } from './plan.js';

type NextFn = (opts?: any) => Promise<MiddlewareResult<any>>;

/** @internal One idempotent call after its claim went to the store. */
export interface IdempotentCall {
  runtime: GuardRuntime;
  plan: ClaimPlan;
  headers: HeadersTarget | undefined;
  next: NextFn;
}

const COMPLETE_ATTEMPTS = 3;

/** @internal Acts on the store's answer to a claim: run, replay, wait, or refuse. */
export async function resolveClaim(call: IdempotentCall, claim: ClaimResult): Promise<MiddlewareResult<any>> {
  const { runtime, plan } = call;
  const where = { path: plan.path, owner: plan.owner, key: plan.key };
  switch (claim.status) {
    case 'acquired':
      return execute(call, claim.token, claim.takeover);
    case 'completed':
      if (call.headers) writeReplayed(call.headers);
      emitEvent(runtime.onEvent, { type: 'replayed', ...where, outcome: claim.outcome.kind });
      return {
        marker: middlewareMarker,
        ok: true,
        data: replayOutcome(claim.outcome),
      } as MiddlewareResult<any>;
    case 'mismatch':
      emitEvent(runtime.onEvent, { type: 'conflict', ...where, reason: 'payload-mismatch' });
      throw rejection(
        'UNPROCESSABLE_CONTENT',
        'This idempotency key was already used with a different input; use a new key for a new intent',
        { kind: 'idempotency', reason: 'payload-mismatch' },
      );
    case 'in-progress':
      if (plan.settings.concurrent === 'wait') return waitForOutcome(call, claim.leaseExpiresAt);
      return refuseInProgress(call, claim.leaseExpiresAt);
    case 'skipped':
      throw new Error(
        '[trpc-guardrails] the store skipped a claim although no limit denied; this is a store bug',
      );
  }
}

/**
 * Duplicates waiting in one process share one poll loop per record and input: without this, a
 * storm of N duplicates polls the store N times per interval while the first one runs, and each
 * fetches the same outcome at the end.
 */
const pollLeaders = new WeakMap<object, Map<string, Promise<ClaimResult | undefined>>>();

/**
 * Waits until the record's owner finishes or its lease lapses (then this call takes over), for at
 * most one lease. One waiter per process polls; the others reuse its outcome, or look once.
 */
async function waitForOutcome(
  call: IdempotentCall,
  firstLeaseExpiresAt: number,
): Promise<MiddlewareResult<any>> {
  const { runtime, plan } = call;
  const deadline = Date.now() + plan.settings.leaseMs;
  const pollKey = `${plan.claim.key}\n${plan.claim.fingerprint}`;
  let leaseExpiresAt = firstLeaseExpiresAt;
  let leaders = pollLeaders.get(runtime.store);
  if (!leaders) {
    leaders = new Map();
    pollLeaders.set(runtime.store, leaders);
  }
  while (Date.now() < deadline) {
    const leader = leaders.get(pollKey);
    let claim: ClaimResult;
    if (leader) {
      const seen = await Promise.race([leader, sleep(Math.max(1, deadline - Date.now()))]);
      // A finished outcome is the same for every duplicate of this input; anything else
      // (taken over, still running) needs this call's own claim.
      claim = seen?.status === 'completed' ? seen : await pollClaim(call);
    } else {
      let settle!: (claim: ClaimResult | undefined) => void;
      leaders.set(pollKey, new Promise((resolve) => (settle = resolve)));
      let seen: ClaimResult | undefined;
      try {
        claim = await pollUntilSettled(call, deadline);
        seen = claim;
      } finally {
        leaders.delete(pollKey);
        settle(seen);
      }
    }
    if (claim.status !== 'in-progress') return resolveClaim(call, claim);
    leaseExpiresAt = claim.leaseExpiresAt;
  }
  return refuseInProgress(call, leaseExpiresAt);
}

/** Polls with backoff until the record is no longer in progress, or the deadline. */
async function pollUntilSettled(call: IdempotentCall, deadline: number): Promise<ClaimResult> {
  let delay = 20;
  for (;;) {
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 250);
    const claim = await pollClaim(call);
    if (claim.status !== 'in-progress' || Date.now() >= deadline) return claim;
  }
}

/** One claim attempt while waiting: completed, taken over, or still in progress. */
async function pollClaim(call: IdempotentCall): Promise<ClaimResult> {
  const { runtime, plan } = call;
  let claim: ClaimResult | undefined;
  try {
    const checked = await withTimeout(
      runtime.store.check({ limits: [], claim: plan.claim }),
      plan.settings.timeoutMs,
      'check',
    );
    claim = checked.claim;
  } catch (error) {
    // Another execution holds the key, so running unguarded would run it twice: always refuse.
    emitEvent(runtime.onEvent, storeError(plan, 'check', 'deny', error));
    throw unavailable(error);
  }
  if (!claim) throw new Error('[trpc-guardrails] the store answered a claim without a claim result');
  return claim;
}

function refuseInProgress(call: IdempotentCall, leaseExpiresAt: number): never {
  const { plan, runtime } = call;
  const retryAfter = Math.max(1, Math.ceil((leaseExpiresAt - Date.now()) / 1000));
  if (call.headers) writeRetryAfter(call.headers, retryAfter);
  emitEvent(runtime.onEvent, {
    type: 'conflict',
    path: plan.path,
    owner: plan.owner,
    key: plan.key,
    reason: 'in-progress',
  });
  throw rejection(
    'CONFLICT',
    `A request with this idempotency key is still in progress: retry in ${retryAfter} s`,
    {
      kind: 'idempotency',
      reason: 'in-progress',
      retryAfter,
    },
  );
}

/** Runs the rest of the chain as the owner of the record, then stores what the handler did. */
async function execute(
  call: IdempotentCall,
  token: number,
  takeover: boolean,
): Promise<MiddlewareResult<any>> {
  const { runtime, plan } = call;
  const { context, state } = createIdempotencyContext(plan.key, token);
  const stopHeartbeat = startHeartbeat(call, token);
  const startedAt = Date.now();
  let result: MiddlewareResult<any>;
  try {
    result = await call.next(nextOptions(plan, context));
  } finally {
    stopHeartbeat();
  }
  if (!state.handlerStarted) {
    // Rejected before the handler (validation, auth…): the key stays unused.
    await releaseQuietly(call);
    return result;
  }
  let outcome: StoredOutcome | undefined;
  let ttlMs = plan.settings.ttlMs;
  if (result.ok) {
    outcome = encodeSafely(result.data);
  } else if (plan.settings.cacheError(result.error)) {
    outcome = encodeError(result.error);
    ttlMs = plan.settings.errorTtlMs;
  }
  let stored = false;
  if (outcome) stored = await completeWithRetry(call, token, outcome, ttlMs);
  else await releaseQuietly(call);
  emitEvent(runtime.onEvent, {
    type: 'executed',
    path: plan.path,
    owner: plan.owner,
    key: plan.key,
    token,
    takeover,
    outcome: result.ok ? 'result' : 'error',
    stored,
    durationMs: Date.now() - startedAt,
  });
  return result;
}

/** @internal What the rest of the chain gets: `ctx.idempotency`, and the input without the key. */
export function nextOptions(plan: ClaimPlan, idempotency: unknown): Record<string, unknown> {
  const stripped = plan.strippedRawInput;
  return stripped
    ? { ctx: { idempotency }, getRawInput: async () => stripped.value }
    : { ctx: { idempotency } };
}

/** Extends the lease every third of it while the handler runs. */
function startHeartbeat(call: IdempotentCall, token: number): () => void {
  const { runtime, plan } = call;
  const timer = setInterval(
    async () => {
      try {
        const answer = await withTimeout(
          runtime.store.extend({
            key: plan.claim.key,
            claimId: plan.claim.claimId,
            leaseMs: plan.settings.leaseMs,
          }),
          plan.settings.timeoutMs,
          'extend',
        );
        if (answer === 'fenced') {
          clearInterval(timer);
          emitEvent(runtime.onEvent, fenced(plan, token, 'extend'));
        }
      } catch (error) {
        emitEvent(runtime.onEvent, storeError(plan, 'extend', 'allow', error));
      }
    },
    Math.max(1, Math.floor(plan.settings.leaseMs / 3)),
  );
  timer.unref?.();
  return () => clearInterval(timer);
}

/** Stores the outcome; a few quick retries, since losing it would let a retry run the handler again. */
async function completeWithRetry(
  call: IdempotentCall,
  token: number,
  outcome: StoredOutcome,
  ttlMs: number,
): Promise<boolean> {
  const { runtime, plan } = call;
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await withTimeout(
        runtime.store.complete({ key: plan.claim.key, claimId: plan.claim.claimId, outcome, ttlMs }),
        plan.settings.timeoutMs,
        'complete',
      );
      if (answer === 'ok') return true;
      emitEvent(runtime.onEvent, fenced(plan, token, 'complete'));
      return false;
    } catch (error) {
      if (attempt >= COMPLETE_ATTEMPTS) {
        // The caller still gets the handler's result: failing it now would invite a retry.
        emitEvent(runtime.onEvent, storeError(plan, 'complete', 'allow', error));
        return false;
      }
      await sleep(50 * 4 ** (attempt - 1));
    }
  }
}

/** @internal Gives a claim back; failures only cost the lease, so they are reported, not thrown. */
export async function releaseQuietly(call: Pick<IdempotentCall, 'runtime' | 'plan'>): Promise<void> {
  const { runtime, plan } = call;
  try {
    await withTimeout(
      runtime.store.release({ key: plan.claim.key, claimId: plan.claim.claimId }),
      plan.settings.timeoutMs,
      'release',
    );
  } catch (error) {
    emitEvent(runtime.onEvent, storeError(plan, 'release', 'allow', error));
  }
}

function encodeSafely(data: unknown): StoredOutcome | undefined {
  try {
    return encodeResult(data);
  } catch (error) {
    console.error(
      '[trpc-guardrails] the result could not be serialized with superjson; it is not stored',
      error,
    );
    return undefined;
  }
}

function fenced(plan: ClaimPlan, token: number, operation: 'extend' | 'complete') {
  return { type: 'fenced', path: plan.path, owner: plan.owner, key: plan.key, token, operation } as const;
}

/** @internal */
export function storeError(
  plan: ClaimPlan,
  operation: 'check' | 'complete' | 'extend' | 'release',
  policy: 'deny' | 'allow',
  error: unknown,
) {
  return {
    type: 'store-error',
    path: plan.path,
    operation,
    policy,
    error,
    owner: plan.owner,
    key: plan.key,
  } as const;
}

/** @internal */
export function unavailable(cause: unknown): TRPCError {
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: 'The guardrails store is unavailable; retry shortly',
    cause,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
