'use client';

import type { RateLimitErrorData } from 'trpc-guardrails/client';
import { useCountdown } from './use-countdown';

/** The typed 429: which scope, its limit, and a live countdown from `retryAfter`. */
export function RateLimitNotice({ limit, since }: { limit: RateLimitErrorData; since: number }) {
  const secondsLeft = useCountdown(since + limit.retryAfter * 1000) ?? limit.retryAfter;
  if (secondsLeft === 0) return null;
  return (
    <div className="notice" role="status" data-testid="rate-limit-notice">
      <strong>Slow down.</strong> The “{limit.scope}” limit ({limit.limit} requests per window) is used up.
      Try again in{' '}
      <span className="countdown" data-testid="rate-limit-countdown">
        {secondsLeft} s
      </span>
      . Nothing was charged.
    </div>
  );
}
