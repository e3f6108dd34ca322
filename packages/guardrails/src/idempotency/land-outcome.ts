import { emitEvent } from '../events.js';
import { outcomeBytes } from '../stores/outcome-size.js';
import type { CompleteResult, StoredOutcome } from '../stores/types.js';
import { type IdempotentCall, runInBackground, whereOf } from './call.js';
import type { Lease } from './lease.js';
import { localOutcomesOf } from './local-outcomes.js';
import { unreplayable } from './outcome.js';
import type { PendingOutcome } from './pending-outcomes.js';
import { fenced, storeError } from './rejections.js';

/** @internal What the owner holds once the handler has run. */
export interface OwnerOutcome {
  token: number;
  lease: Lease;
  outcome: StoredOutcome;
  /** The handler returned (`result`) or threw (`error`). */
  handler: 'result' | 'error';
  /** When the handler finished (epoch ms). */
  finishedAt: number;
  /** This owner's entry in the guard's pending outcomes. */
  pending: PendingOutcome;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 1_000;

/**
 * @internal Stores the owner's outcome. The first attempt is awaited, so a caller that retries
 * right after its answer finds the outcome. When it fails, the owner keeps the outcome (bounded
 * by `pendingOutcomes`) and keeps retrying in the background, with its lease kept alive, until
 * the outcome is stored or a newer attempt fenced it (or the record's TTL, or `close()`): a
 * store outage shorter than the lease never lets a duplicate run the handler again, and after a
 * longer one the owner's retry competes with the duplicates' claims.
 *
 * An outcome over the store's `maxResultBytes`, or refused by the store as too large, is
 * recorded as a small marker instead, so duplicates are refused rather than run again.
 *
 * @returns what became of the outcome before the caller gets its answer: `stored`; `fenced`
 * (another attempt owns the record now: the caller should get that attempt's outcome);
 * `pending` (retried in the background); `lost` (given up at once, `outcome-lost` reported)
 */
export async function landOutcome(call: IdempotentCall, owner: OwnerOutcome): Promise<Landing> {
  if (owner.lease.fenced) {
    // A heartbeat already learnt that another attempt took over (this owner was paused past
    // its lease): what the handler did will never be the record's outcome.
    lose(call, owner, 'fenced', 0);
    return 'fenced';
  }
  const maxBytes = call.runtime.store.maxResultBytes;
  if (maxBytes !== undefined && owner.outcome.kind !== 'unreplayable') {
    const bytes = outcomeBytes(owner.outcome);
    if (bytes > maxBytes) owner.outcome = unreplayable('too-large', bytes, owner.finishedAt);
  }
  for (let attempts = 1; ; attempts++) {
    let answer: CompleteResult;
    try {
      answer = await attempt(call, owner);
    } catch (error) {
      return handOff(call, owner, attempts, error);
    }
    if (answer === 'ok') {
      finish(call, owner, attempts, false);
      return 'stored';
    }
    if (answer === 'fenced') {
      lose(call, owner, 'fenced', attempts);
      return 'fenced';
    }
    // 'too-large': the marker has replaced the outcome; send it at once.
  }
}

/** @internal What `landOutcome` achieved before the caller's answer. */
export type Landing = 'stored' | 'fenced' | 'pending' | 'lost';

/** Keeps the outcome for background retries, within the guard's bounds. */
function handOff(call: IdempotentCall, owner: OwnerOutcome, attempts: number, error: unknown): Landing {
  const overflow =
    !owner.pending.givenUp && !call.runtime.outcomes.hold(owner.pending, outcomeBytes(owner.outcome));
  if (owner.pending.givenUp || overflow) {
    lose(call, owner, overflow ? 'overflow' : 'shutdown', attempts, error);
    return 'lost';
  }
  emitEvent(call.runtime.onEvent, storeError(call.plan, 'complete', 'retry', error));
  runInBackground(call, retry(call, owner, attempts, error));
  return 'pending';
}

/** One `complete`; a result refused as too large is replaced by the marker for the next one. */
async function attempt(call: IdempotentCall, owner: OwnerOutcome): Promise<CompleteResult> {
  const { plan, runtime } = call;
  const answer = await runtime.timed(
    runtime.store.complete({
      key: plan.claim.key,
      claimId: plan.claim.claimId,
      outcome: owner.outcome,
      ttlMs: owner.handler === 'error' ? plan.settings.errorTtlMs : plan.settings.ttlMs,
    }),
    plan.settings.timeoutMs,
    'complete',
  );
  if (answer === 'too-large') {
    if (owner.outcome.kind === 'unreplayable') {
      throw new Error('[trpc-guardrails] the store refused even the small "too large to replay" marker');
    }
    owner.outcome = unreplayable('too-large', outcomeBytes(owner.outcome), owner.finishedAt);
  }
  return answer;
}

async function retry(call: IdempotentCall, owner: OwnerOutcome, attempts: number, lastError: unknown) {
  let error = lastError;
  for (let n = 0; ; n++) {
    if (owner.lease.fenced) return lose(call, owner, 'fenced', attempts, error);
    if (Date.now() > owner.lease.giveUpAt) return lose(call, owner, 'expired', attempts, error);
    await pause(owner, n);
    if (owner.pending.givenUp) return lose(call, owner, 'shutdown', attempts, error);
    attempts++;
    try {
      const answer = await attempt(call, owner);
      if (answer === 'ok') return finish(call, owner, attempts, true);
      if (answer === 'fenced') return lose(call, owner, 'fenced', attempts, error);
    } catch (failure) {
      error = failure;
    }
  }
}

/** Backoff with jitter, cut short when `close()` gives up. */
function pause(owner: OwnerOutcome, n: number): Promise<void> {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** n);
  const ms = Math.min(ceiling / 2 + Math.random() * (ceiling / 2), owner.lease.giveUpAt - Date.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slept = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  return Promise.race([slept, owner.pending.whenGivenUp]).finally(() => clearTimeout(timer));
}

function finish(call: IdempotentCall, owner: OwnerOutcome, attempts: number, late: boolean): void {
  owner.lease.stop();
  const { claim, settings } = call.plan;
  localOutcomesOf(call.runtime.store).publish(claim.key, owner.outcome);
  // Kept from when the complete was sent at the latest: the store's clock started later.
  const ttlMs = owner.handler === 'error' ? settings.errorTtlMs : settings.ttlMs;
  call.runtime.replayCache?.remember(claim.key, claim.fingerprint, owner.outcome, owner.finishedAt + ttlMs);
  if (late) {
    emitEvent(call.runtime.onEvent, {
      type: 'outcome-stored',
      ...whereOf(call),
      token: owner.token,
      attempts,
      delayMs: Date.now() - owner.finishedAt,
    });
  }
  owner.pending.settle();
}

function lose(
  call: IdempotentCall,
  owner: OwnerOutcome,
  reason: 'fenced' | 'expired' | 'shutdown' | 'overflow',
  attempts: number,
  error?: unknown,
): void {
  owner.lease.stop();
  if (reason === 'fenced') emitEvent(call.runtime.onEvent, fenced(call.plan, owner.token, 'complete'));
  emitEvent(call.runtime.onEvent, {
    type: 'outcome-lost',
    ...whereOf(call),
    token: owner.token,
    reason,
    outcome: owner.handler,
    attempts,
    ...(error === undefined ? {} : { error }),
  });
  owner.pending.settle();
}
