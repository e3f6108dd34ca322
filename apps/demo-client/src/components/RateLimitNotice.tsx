import type { RateLimitErrorData } from 'trpc-guardrails/client';
import { useCountdown } from '../use-countdown.js';

export type RateLimit = RateLimitErrorData & { until: number };

export function RateLimitNotice({ rateLimit }: { rateLimit: RateLimit | undefined }) {
  const secondsLeft = useCountdown(rateLimit?.until);
  if (!rateLimit || secondsLeft === 0) return null;
  return (
    <div className="notice" role="status" data-testid="rate-limit-notice">
      <strong>Slow down.</strong> The “{rateLimit.scope}” limit ({rateLimit.limit} requests) is used up. Try
      again in{' '}
      <span className="countdown" data-testid="rate-limit-countdown">
        {secondsLeft} s
      </span>
      . Nothing was charged.
    </div>
  );
}
