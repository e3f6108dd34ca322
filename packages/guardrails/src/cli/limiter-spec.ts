import { parseDuration } from '../duration.js';
import { fixedWindow, type Limiter, slidingWindow, tokenBucket } from '../rate-limit/algorithms.js';
import { UsageError } from './usage-error.js';

/**
 * A limiter written on the command line: `sliding:20/10s`, `fixed:100/1m`, `bucket:10/1m/100`
 * (refill rate / interval / bucket size) — the arguments of `slidingWindow`, `fixedWindow`,
 * `tokenBucket`.
 */
export function parseLimiterSpec(spec: string): Limiter {
  const match = /^(sliding|fixed|bucket):(\d+)\/(\d+(?:\.\d+)?\s*(?:ms|s|m|h|d))(?:\/(\d+))?$/.exec(
    spec.trim(),
  );
  if (!match) {
    throw new UsageError(
      `--limiter "${spec}" is not a limiter; write sliding:20/10s, fixed:100/1m or bucket:10/1m/100`,
    );
  }
  const [, kind, count, window, size] = match;
  const duration = window!.replace(
    /(\d)(ms|s|m|h|d)$/,
    '$1 $2',
  ) as `${number} ${'ms' | 's' | 'm' | 'h' | 'd'}`;
  parseDuration(duration, '--limiter');
  if (kind === 'bucket') {
    if (size === undefined)
      throw new UsageError(`--limiter "${spec}": a bucket needs its size, e.g. bucket:10/1m/100`);
    return tokenBucket(Number(count), duration, Number(size));
  }
  if (size !== undefined) throw new UsageError(`--limiter "${spec}": only a bucket has a third number`);
  return kind === 'sliding' ? slidingWindow(Number(count), duration) : fixedWindow(Number(count), duration);
}
