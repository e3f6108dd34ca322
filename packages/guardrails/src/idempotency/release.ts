import { emitEvent } from '../events.js';
import type { IdempotentCall } from './call.js';
import { storeError } from './rejections.js';

/** @internal Gives a claim back; failures only cost the lease, so they are reported, not thrown. */
export async function releaseQuietly(call: Pick<IdempotentCall, 'runtime' | 'plan'>): Promise<void> {
  const { runtime, plan } = call;
  try {
    await runtime.timed(
      runtime.store.release({ key: plan.claim.key, claimId: plan.claim.claimId }),
      plan.settings.timeoutMs,
      'release',
    );
  } catch (error) {
    emitEvent(runtime.onEvent, storeError(plan, 'release', 'allow', error));
  }
}
