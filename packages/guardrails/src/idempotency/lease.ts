import { emitEvent } from '../events.js';
import { withTimeout } from '../guard/with-timeout.js';
import type { IdempotentCall } from './call.js';
import { fenced, storeError } from './rejections.js';

/** @internal The owner's hold on its record, kept alive by a heartbeat. */
export interface Lease {
  /**
   * Until when (this process's clock) the lease may still be ours: the last confirmation's
   * arrival plus the lease. Past it another attempt may have taken the record over.
   */
  readonly heldUntil: number;
  /** A newer attempt owns the record: nothing this owner stores will count. */
  readonly fenced: boolean;
  stop(): void;
}

/** Heartbeats per lease: an outage up to 9/10 of the lease never lets the lease lapse. */
const BEATS_PER_LEASE = 10;

/**
 * @internal Extends the lease every tenth of it, from the claim until `stop()` — through the
 * handler and until its outcome lands. Each extension carries a deadline, so one that reaches a
 * stalled store after this owner stopped waiting for it changes nothing.
 */
export function keepLease(call: IdempotentCall, token: number, claimedAt: number): Lease {
  const { runtime, plan } = call;
  const { leaseMs, timeoutMs } = plan.settings;
  const interval = Math.max(10, Math.floor(leaseMs / BEATS_PER_LEASE));
  let heldUntil = claimedAt + leaseMs;
  let isFenced = false;
  let stopped = false;
  let failing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const beat = async () => {
    const waitMs = Math.min(timeoutMs, leaseMs);
    try {
      const answer = await withTimeout(
        runtime.store.extend({
          key: plan.claim.key,
          claimId: plan.claim.claimId,
          leaseMs,
          deadline: Date.now() + waitMs,
        }),
        waitMs,
        'extend',
      );
      failing = false;
      if (answer === 'ok') heldUntil = Date.now() + leaseMs;
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
    get heldUntil() {
      return heldUntil;
    },
    get fenced() {
      return isFenced;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
