import type { DataTransformer } from '@trpc/server/unstable-core-do-not-import';
import {
  type LimitAddress,
  limitAddressKeys,
  type RemainingLimit,
  remainingLimit,
  resetLimit,
} from '../admin/limits.js';
import {
  evictRecord,
  type InspectedRecord,
  inspectRecord,
  type RecordAddress,
  recordKey,
} from '../admin/records.js';
import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import type { Limiter } from '../rate-limit/algorithms.js';
import type { EvictResult } from '../stores/types.js';
import type { GuardRuntime } from './runtime.js';

/** Options of `guard.remaining`. */
export interface RemainingOptions<TContext, TScopes extends string> extends LimitAddress {
  scope: TScopes;
  /** The limiter to read under; by default the scope's (or, for a per-call one, what it picks for `ctx`). */
  limiter?: Limiter;
  /** The context a per-call limiter picks from. */
  ctx?: TContext;
}

/** What an operator can do with what the guard knows. */
export interface GuardrailsAdmin<TContext, TScopes extends string> {
  /**
   * Reads the record behind an intent: absent, in progress (lease expiry, fencing token) or done
   * (the result decoded with `transformer` — pass your tRPC transformer if it is not superjson).
   * @example
   * ```ts
   * const record = await guard.inspect({ path: 'checkout.pay', owner: 'u_42', key: '5c1f…' });
   * ```
   */
  inspect(address: RecordAddress, options?: { transformer?: DataTransformer }): Promise<InspectedRecord>;
  /**
   * Deletes the record behind an intent, so its key runs again. A record whose owner still holds
   * a live lease is kept (`in-progress`) unless `force: true` — evicting it lets a retry run
   * beside the owner, whose completion is then fenced.
   */
  evict(address: RecordAddress & { force?: boolean }): Promise<EvictResult>;
  /** What is left in a scope for one identifier, read without taking anything. */
  remaining(options: RemainingOptions<TContext, TScopes>): Promise<RemainingLimit>;
  /** Forgets what one identifier used in a scope (or one of its buckets). */
  resetLimit(address: LimitAddress & { scope: TScopes }): Promise<'reset' | 'absent'>;
}

/** @internal The admin methods of a guard. */
export function createAdmin(runtime: GuardRuntime): GuardrailsAdmin<unknown, string> {
  const scopeOf = (name: string) => {
    const scope = runtime.scopes.get(name);
    if (!scope) {
      throw new GuardrailsConfigError(
        `scope ${describe(name)} is not configured; configured: ${[...runtime.scopes.keys()].join(', ')}`,
      );
    }
    return scope;
  };
  return {
    inspect: (address, options = {}) =>
      inspectRecord(runtime.store, runtime.prefix, address, options.transformer),
    async evict(address) {
      const result = await evictRecord(runtime.store, runtime.prefix, address);
      // This process's replay cache learns at once; others within their `maxAge`.
      runtime.replayCache?.forget(recordKey(runtime.prefix, address));
      return result;
    },
    async remaining({ limiter, ctx, ...address }) {
      const scope = scopeOf(address.scope);
      let applied = limiter;
      if (!applied && typeof scope.limiter !== 'function') applied = scope.limiter;
      if (!applied && ctx !== undefined && typeof scope.limiter === 'function') {
        applied = scope.limiter({ ctx, path: address.procedure ?? '', type: 'mutation' }) ?? undefined;
      }
      if (!applied) {
        throw new GuardrailsConfigError(
          `scope "${scope.name}" picks its limiter per call: pass the caller's { ctx } or a { limiter } to read under`,
        );
      }
      return remainingLimit(runtime.store, runtime.prefix, address, applied);
    },
    async resetLimit(address) {
      scopeOf(address.scope);
      const result = await resetLimit(runtime.store, runtime.prefix, address);
      const { prefix, identifier } = limitAddressKeys(runtime.prefix, address);
      runtime.denials.forget(prefix, identifier);
      return result;
    },
  };
}
