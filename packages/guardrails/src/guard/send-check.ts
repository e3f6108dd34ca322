import type { CheckResult, ClaimRequest, LimitRequest } from '../stores/types.js';
import type { GuardRuntime } from './runtime.js';
import { StoreTimeoutError } from './with-timeout.js';

/**
 * @internal One `check` with a deadline on its claim: the moment this caller stops waiting, so
 * a claim that lands later changes nothing. A claim the store refused as `expired` while the
 * caller still waits (its clock estimate was off; the reply corrected it) is sent once more.
 */
export async function sendCheck(
  runtime: GuardRuntime,
  request: { limits: readonly LimitRequest[]; claim?: Omit<ClaimRequest, 'deadline'> | undefined },
  timeoutMs: number,
): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs;
  const claim = request.claim && { ...request.claim, deadline };
  const checked = await runtime.timed(
    runtime.store.check({ limits: request.limits, claim }),
    timeoutMs,
    'check',
  );
  if (checked.claim?.status !== 'expired') return checked;
  const left = deadline - Date.now();
  if (left <= 0) throw new StoreTimeoutError('check', timeoutMs);
  const again = await runtime.timed(runtime.store.check({ limits: [], claim }), left, 'check');
  if (again.claim?.status === 'expired') {
    throw new Error(
      "[trpc-guardrails] the store refused a claim as past its deadline twice; its clock and this server's disagree by more than the timeout",
    );
  }
  return { limits: checked.limits, claim: again.claim };
}
