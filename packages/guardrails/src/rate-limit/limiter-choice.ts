import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import { isLimiter, type Limiter, limiterCapacity } from './algorithms.js';
import type { LimiterChoice, ScopeCallOptions } from './options.js';

/** @internal Checks a `limiter` option at setup: a limiter, or a function that picks one. */
export function checkLimiterChoice(value: unknown, where: string): LimiterChoice<any> {
  if (isLimiter(value) || typeof value === 'function') return value as LimiterChoice<any>;
  throw new GuardrailsConfigError(
    `${where} must come from slidingWindow(), fixedWindow() or tokenBucket(), or be a function that returns one; got ${describe(value)}`,
  );
}

/**
 * @internal The limiter for this call; `undefined` leaves the call unlimited by it. A function's
 * answer is checked like a static limiter's: a cost no call could ever pay is a setup mistake,
 * reported as one rather than as a 429 that never ends.
 */
export function limiterForCall(
  choice: LimiterChoice<any>,
  call: ScopeCallOptions<unknown>,
  cost: number,
  where: string,
): Limiter | undefined {
  if (typeof choice !== 'function') return choice;
  const picked = choice(call);
  if (picked === null || picked === undefined) return undefined;
  if (!isLimiter(picked)) {
    throw new GuardrailsConfigError(
      `${where} returned ${describe(picked)} for ${call.path}; return slidingWindow(), fixedWindow(), tokenBucket(), or null for no limit`,
    );
  }
  assertAffordable(picked, cost, where);
  return picked;
}

/** @internal Throws when `cost` exceeds what the limiter could ever allow at once. */
export function assertAffordable(limiter: Limiter, cost: number, where: string): void {
  const capacity = limiterCapacity(limiter);
  if (cost > capacity) {
    throw new GuardrailsConfigError(
      `.rateLimited() cost ${cost} exceeds the capacity ${capacity} of ${where}, so no call could pass; lower the cost or raise the limit`,
    );
  }
}
