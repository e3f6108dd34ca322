import { GuardrailsConfigError } from '../errors.js';
import { rateLimitIdentifier } from '../guard/keys.js';
import type { Limiter } from '../rate-limit/algorithms.js';
import { isLimiter } from '../rate-limit/algorithms.js';
import { bucketPrefix } from '../rate-limit/plan.js';
import type { GuardrailsStore } from '../stores/types.js';
import { required } from './records.js';

/** Which counters: a scope's shared bucket for one identifier, or a procedure's own. */
export interface LimitAddress {
  scope: string;
  /** As the scope's `identify` returns it (for `ipScope`: the address key, e.g. `2001:db8::/56`). */
  identifier: string | number;
  /** A named bucket (`.rateLimited(scope, { bucket })`). */
  bucket?: string;
  /** A procedure's own bucket (`.rateLimited(scope, { limiter })` without `bucket`): its path. */
  procedure?: string;
}

/** What is left for one identifier, read without taking anything. */
export interface RemainingLimit {
  limit: number;
  remaining: number;
  /** When the window resets or the next tokens arrive. */
  reset: Date;
}

/** @internal The store prefix and encoded identifier of a limit's counters. */
export function limitAddressKeys(prefix: string, { scope, identifier, bucket, procedure }: LimitAddress) {
  if (typeof scope !== 'string' || scope.length === 0)
    throw new GuardrailsConfigError('a limit is named by { scope, identifier }');
  if (bucket !== undefined && procedure !== undefined) {
    throw new GuardrailsConfigError('name either a bucket or a procedure, not both');
  }
  const step =
    bucket !== undefined ? { name: bucket } : procedure !== undefined ? ('path' as const) : undefined;
  return {
    prefix: bucketPrefix(prefix, scope, step, procedure ?? ''),
    identifier: rateLimitIdentifier(String(identifier)),
  };
}

/** What is left in a limit for one identifier, under `limiter` (the one that applies to it). */
export async function remainingLimit(
  store: Pick<GuardrailsStore, 'peekLimit'>,
  prefix: string,
  address: LimitAddress,
  limiter: Limiter,
): Promise<RemainingLimit> {
  if (!isLimiter(limiter)) {
    throw new GuardrailsConfigError(
      'remaining() needs the limiter that applies: slidingWindow(), fixedWindow() or tokenBucket()',
    );
  }
  const result = await required(
    store,
    'peekLimit',
  )({ ...limitAddressKeys(prefix, address), limiter, cost: 0 });
  return { limit: result.limit, remaining: result.remaining, reset: new Date(result.reset) };
}

/** Forgets what one identifier used in a limit (under every algorithm). */
export function resetLimit(
  store: Pick<GuardrailsStore, 'resetLimit'>,
  prefix: string,
  address: LimitAddress,
): Promise<'reset' | 'absent'> {
  return required(store, 'resetLimit')(limitAddressKeys(prefix, address));
}
