import type { MiddlewareResult } from '@trpc/server/unstable-core-do-not-import';
import type { GuardRuntime } from '../guard/runtime.js';
import type { HeadersTarget } from '../rate-limit/headers.js';
import type { ClaimPlan } from './plan.js';

/** @internal The rest of the procedure chain, as the middleware's `next`. */
export type NextFn = (opts?: any) => Promise<MiddlewareResult<any>>;

/** @internal One idempotent call after its claim went to the store. */
export interface IdempotentCall {
  runtime: GuardRuntime;
  plan: ClaimPlan;
  headers: HeadersTarget | undefined;
  /** The procedure's context, for `waitUntil`. */
  ctx: unknown;
  next: NextFn;
}

/** @internal Where an idempotency event says it happened. */
export function whereOf({ plan }: Pick<IdempotentCall, 'plan'>) {
  return { path: plan.path, owner: plan.owner, key: plan.key };
}

/** @internal Hands background work to the platform (`waitUntil`), so it is not cut off. */
export function runInBackground(call: Pick<IdempotentCall, 'runtime' | 'ctx'>, task: Promise<unknown>): void {
  const handled = task.catch((error) => console.error('[trpc-guardrails] background work failed', error));
  try {
    call.runtime.waitUntil?.(handled, { ctx: call.ctx });
  } catch (error) {
    console.error('[trpc-guardrails] waitUntil threw; the work runs on unattended', error);
  }
}
