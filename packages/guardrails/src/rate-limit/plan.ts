import type { ProcedureType } from '@trpc/server';
import type { LimitStep } from '../builder/guard-steps.js';
import { rejection } from '../errors.js';
import { emitEvent } from '../events.js';
import { encodeKeyPart, rateLimitIdentifier, rateLimitPrefix } from '../guard/keys.js';
import { assertNamedPath } from '../guard/named-path.js';
import type { GuardRuntime, ResolvedScope } from '../guard/runtime.js';
import type { LimitRequest } from '../stores/types.js';
import type { Limiter } from './algorithms.js';
import { limiterForCall } from './limiter-choice.js';

/** @internal A scope that applies to this call, with its store request. */
export interface PlannedLimit {
  scope: ResolvedScope;
  /** The policy's name in headers: the scope's, or `scope:bucket` for a procedure's own bucket. */
  policy: string;
  /** The procedure's own bucket, if it has one. */
  bucket: string | undefined;
  /** The limiter that applies to this call (a scope's limiter may depend on the caller). */
  limiter: Limiter;
  identifier: string;
  request: LimitRequest;
}

/**
 * @internal Identifies the caller in every scope of the steps and picks each limiter; skipped
 * scopes, allow-listed callers and limiters that answer "no limit" drop out. A deny-listed
 * caller is refused here, before any store work.
 */
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
      if (scope.deny?.has(identifier)) throw blocked(runtime, scope, identifier, call.path);
      if (scope.allow?.has(identifier)) continue;
      const where = step.limiter
        ? `.rateLimited({ limiter }) of ${call.path}`
        : `scopes.${scope.name}.limiter`;
      const limiter = limiterForCall(step.limiter ?? scope.limiter, call, step.cost, where);
      if (!limiter) continue;
      if (step.bucket === 'path') assertNamedPath(call.path, 'own-bucket');
      const bucket = step.bucket === 'path' ? call.path : step.bucket?.name;
      planned.push({
        scope,
        policy: bucket === undefined ? scope.name : `${scope.name}:${bucket}`,
        bucket,
        limiter,
        identifier,
        request: {
          prefix: bucketPrefix(runtime.prefix, scope.name, step.bucket, call.path),
          identifier: rateLimitIdentifier(identifier),
          limiter,
          cost: step.cost,
        },
      });
    }
  }
  return planned;
}

/**
 * @internal Scope names cannot hold `@` or `~`, so a named bucket (`@`) or a procedure's own
 * (`~`) never shares counters with a scope, another scope's bucket, or each other.
 */
export function bucketPrefix(
  prefix: string,
  scope: string,
  bucket: LimitStep['bucket'],
  path: string,
): string {
  const shared = rateLimitPrefix(prefix, scope);
  if (bucket === undefined) return shared;
  return bucket === 'path' ? `${shared}~${encodeKeyPart(path)}` : `${shared}@${bucket.name}`;
}

function blocked(runtime: GuardRuntime, scope: ResolvedScope, identifier: string, path: string) {
  emitEvent(runtime.onEvent, { type: 'blocked', path, scope: scope.name, identifier });
  return rejection('FORBIDDEN', `Refused by the deny list of "${scope.name}"`, {
    kind: 'blocked',
    scope: scope.name,
  });
}
