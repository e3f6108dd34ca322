import type { ProcedureType } from '@trpc/server';
import type { LimitStep } from '../builder/guard-steps.js';
import { rateLimitIdentifier, rateLimitPrefix } from '../guard/keys.js';
import type { GuardRuntime, ResolvedScope } from '../guard/runtime.js';
import type { LimitRequest } from '../stores/types.js';
import type { Limiter } from './algorithms.js';

/** @internal A scope that applies to this call, with its store request. */
export interface PlannedLimit {
  scope: ResolvedScope;
  /** The limiter that applies to this call (a scope's limiter may depend on the caller). */
  limiter: Limiter;
  identifier: string;
  request: LimitRequest;
}

/** @internal Identifies the caller in every scope of the steps; skipped scopes drop out. */
export function planLimits(
  runtime: GuardRuntime,
  steps: readonly LimitStep[],
  call: { ctx: unknown; path: string; type: ProcedureType },
): PlannedLimit[] {
  const planned: PlannedLimit[] = [];
  for (const step of steps) {
    for (const scope of step.scopes) {
      const raw = scope.identify(call as never);
      if (raw === undefined || raw === null) continue;
      if (typeof raw !== 'string' && typeof raw !== 'number') {
        throw new TypeError(
          `[trpc-guardrails] scopes.${scope.name}.identify must return a string, number, undefined or null; got ${typeof raw}`,
        );
      }
      const identifier = String(raw);
      planned.push({
        scope,
        limiter: scope.limiter,
        identifier,
        request: {
          prefix: rateLimitPrefix(runtime.prefix, scope.name),
          identifier: rateLimitIdentifier(identifier),
          limiter: scope.limiter,
          cost: step.cost,
        },
      });
    }
  }
  return planned;
}
