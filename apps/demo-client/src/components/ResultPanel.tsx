import { formatCents } from '../format.js';
import type { Outcome } from './CheckoutCard.js';

export function ResultPanel({ outcome, pending }: { outcome: Outcome | undefined; pending: boolean }) {
  if (!outcome) {
    return (
      <div className="result empty" data-testid="last-result">
        {pending ? 'Paying…' : 'No payment yet for this intent.'}
      </div>
    );
  }
  if (outcome.kind === 'failed') {
    return (
      <div className="result failed" data-testid="last-result">
        <strong>{outcome.message}</strong>
        {outcome.hint && <div className="muted">{outcome.hint}</div>}
      </div>
    );
  }
  const { payment, info } = outcome;
  return (
    <div className="result paid" data-testid="last-result">
      <div className="result-head">
        <span className="charge-id">{payment.chargeId}</span>
        {info?.replayed ? (
          <span className="badge replayed" data-testid="replayed-badge">
            Replayed · no new charge
          </span>
        ) : (
          <span className="badge executed">Charged</span>
        )}
      </div>
      <div>
        {formatCents(payment.amountCents)} from <strong>{payment.user}</strong> at{' '}
        {payment.chargedAt.toLocaleTimeString()}
      </div>
      {info && info.attempts > 1 && (
        <div className="muted" data-testid="attempts">
          Delivered on attempt {info.attempts}: {info.lostResponses} response
          {info.lostResponses === 1 ? ' was' : 's were'} lost, the retry carried the same key.
        </div>
      )}
    </div>
  );
}
