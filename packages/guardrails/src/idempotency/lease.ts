import { emitEvent } from '../events.js';
import type { IdempotentCall } from './call.js';
import { fenced, storeError } from './rejections.js';

/** @internal The owner's hold on its record, kept alive by a heartbeat. */
export interface Lease {
  /**
   * When the owner stops trying (this process's clock): the unfinished record's TTL, after
   * which the store has dropped it. Until then the owner keeps its claim, even through an
   * outage longer than the lease: nobody else can reach the store either, and its queued
   * extensions land before any claim sent after the store came back.
   */
  readonly giveUpAt: number;
  /** A newer attempt owns the record: nothing this owner stores will count. */
  readonly fenced: boolean;
  stop(): void;
}

/** Heartbeats per lease: an outage up to 9/10 of the lease never lets the lease lapse. */
const BEATS_PER_LEASE = 10;

/** @internal The heartbeat interval: a tenth of the lease. */
export function heartbeatMs(leaseMs: number): number {
  return Math.max(10, Math.floor(leaseMs / BEATS_PER_LEASE));
}

/**
 * @internal How long a lapsed lease must stay unrenewed before a takeover: a live owner that
 * reaches the store extends at least once per heartbeat, and after a stall its queued
 * extensions need time to drain (over a second was measured on a loaded 2-core machine). At
 * least two seconds, at most the lease.
 */
export function takeoverGraceMs(leaseMs: number): number {
  return Math.min(leaseMs, Math.max(2_000, heartbeatMs(leaseMs)));
}

/**
 * @internal Extends the lease every tenth of it, from the claim until `stop()` — through the
 * handler and until its outcome lands. An extension that reaches the store late still counts
 * while the owner is trying (its deadline is `giveUpAt`): after a stall it keeps the lease of an
 * owner that is alive; one from an owner that crashed only delays the takeover by a lease.
 */
export function keepLease(call: IdempotentCall, token: number, claimedAt: number): Lease {
  const { runtime, plan } = call;
  const { leaseMs, timeoutMs } = plan.settings;
  const interval = heartbeatMs(leaseMs);
  const giveUpAt = claimedAt + plan.claim.ttlMs;
  let isFenced = false;
  let stopped = false;
  let failing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const beat = async () => {
    const waitMs = Math.min(timeoutMs, leaseMs);
    try {
      const answer = await runtime.timed(
        runtime.store.extend({
          key: plan.claim.key,
          claimId: plan.claim.claimId,
          leaseMs,
          deadline: giveUpAt,
        }),
        waitMs,
        'extend',
      );
      failing = false;
      if (answer === 'fenced' && !stopped) {
        isFenced = true;
        stopped = true;
        emitEvent(runtime.onEvent, fenced(plan, token, 'extend'));
        return;
      }
    } catch (error) {
      // One event per run of failures: an outage would otherwise report ten times a lease.
      if (!failing) emitEvent(runtime.onEvent, storeError(plan, 'extend', 'allow', error));
      failing = true;
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(beat, interval);
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();

  return {
    giveUpAt,
    get fenced() {
      return isFenced;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
