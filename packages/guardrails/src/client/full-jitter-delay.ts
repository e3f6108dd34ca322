/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): a uniformly random delay in `[0, min(maxDelayMs, baseDelayMs · 2^(attempt − 1)))`.
 * `attempt` counts the attempts made so far, so the first retry uses `attempt = 1`.
 *
 * @internal
 */
export function fullJitterDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
