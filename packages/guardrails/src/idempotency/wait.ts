import { emitEvent } from '../events.js';
import { sendCheck } from '../guard/send-check.js';
import type { ClaimResult } from '../stores/types.js';
import type { IdempotentCall } from './call.js';
import { localOutcomesOf } from './local-outcomes.js';
import { storeError, unavailable } from './rejections.js';

/** A claim answer and when it arrived (this process's clock). */
export interface ClaimAnswer {
  claim: ClaimResult;
  at: number;
}

/**
 * Duplicates waiting in one process share one poll loop per record and input: without this, a
 * storm of N duplicates polls the store N times per interval while the first one runs, and each
 * fetches the same outcome at the end.
 */
const pollLeaders = new WeakMap<object, Map<string, Promise<ClaimAnswer | undefined>>>();

/**
 * @internal Waits, for about one lease, until the record's owner finishes or its lease lapses.
 * Returns the first answer that is not `in-progress` — the outcome, or this call's own claim
 * when it took a lapsed lease over — else the last `in-progress` answer. An owner in this
 * process wakes its waiters the moment its outcome is stored; across processes one waiter per
 * process polls, with backoff.
 */
export async function waitForSettled(
  call: IdempotentCall,
  firstLeaseExpiresAt: number,
): Promise<ClaimAnswer> {
  const { runtime, plan } = call;
  // One lease, and the takeover grace after it, in case the owner is gone.
  const deadline = Date.now() + plan.settings.leaseMs + 2 * plan.claim.graceMs;
  const local = localOutcomesOf(runtime.store).next(plan.claim.key);
  const stored = local.outcome.then(
    (outcome): ClaimAnswer => ({ claim: { status: 'completed', outcome }, at: Date.now() }),
  );
  let last: ClaimAnswer = {
    claim: { status: 'in-progress', leaseExpiresAt: firstLeaseExpiresAt },
    at: Date.now(),
  };
  try {
    while (Date.now() < deadline) {
      last = await Promise.race([stored, nextAnswer(call, deadline)]);
      if (last.claim.status !== 'in-progress') return last;
    }
    return last;
  } finally {
    local.cancel();
  }
}

/** The shared poll loop's answer if it brings the outcome, else a poll of this call's own. */
async function nextAnswer(call: IdempotentCall, deadline: number): Promise<ClaimAnswer> {
  const { runtime, plan } = call;
  const pollKey = `${plan.claim.key}\n${plan.claim.fingerprint}`;
  let leaders = pollLeaders.get(runtime.store);
  if (!leaders) {
    leaders = new Map();
    pollLeaders.set(runtime.store, leaders);
  }
  const leader = leaders.get(pollKey);
  if (leader) {
    const seen = await Promise.race([leader, sleep(Math.max(1, deadline - Date.now()))]);
    // A finished outcome is the same for every duplicate of this input; anything else
    // (taken over, still running) needs this call's own claim.
    return seen?.claim.status === 'completed' ? seen : pollOnce(call);
  }
  let settle!: (answer: ClaimAnswer | undefined) => void;
  leaders.set(pollKey, new Promise((resolve) => (settle = resolve)));
  let answer: ClaimAnswer | undefined;
  try {
    answer = await pollUntilSettled(call, deadline);
    return answer;
  } finally {
    leaders.delete(pollKey);
    settle(answer);
  }
}

/** How often the one poller per process and record asks, while most owners are still expected to finish. */
const FAST_POLL_MS = 20;
const FAST_POLL_FOR_MS = 2_000;
const SLOWEST_POLL_MS = 250;

/**
 * Polls until the record is no longer in progress, or the deadline: every 20 ms for the first 2 s
 * (a duplicate learns of a finished outcome within one round trip + 20 ms of it, and a process
 * sends one poll per record however many duplicates wait), then backing off to 250 ms for owners
 * that run long.
 */
async function pollUntilSettled(call: IdempotentCall, deadline: number): Promise<ClaimAnswer> {
  const started = Date.now();
  let delay = FAST_POLL_MS;
  for (;;) {
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    if (Date.now() - started >= FAST_POLL_FOR_MS) delay = Math.min(delay * 2, SLOWEST_POLL_MS);
    const answer = await pollOnce(call);
    if (answer.claim.status !== 'in-progress' || Date.now() >= deadline) return answer;
  }
}

/** One claim attempt while waiting: completed, taken over, or still in progress. */
async function pollOnce(call: IdempotentCall): Promise<ClaimAnswer> {
  const { runtime, plan } = call;
  try {
    const checked = await sendCheck(runtime, { limits: [], claim: plan.claim }, plan.settings.timeoutMs);
    if (!checked.claim)
      throw new Error('[trpc-guardrails] the store answered a claim without a claim result');
    return { claim: checked.claim, at: Date.now() };
  } catch (error) {
    // Another execution holds the key, so running unguarded would run it twice: always refuse.
    emitEvent(runtime.onEvent, storeError(plan, 'check', 'deny', error));
    throw unavailable(error);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
