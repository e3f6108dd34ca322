import type { Payment } from '../shared/pay-state';
import { formatCents } from './format';

/** What the last attempt of the current intent came to, as either page shows it. */
export type ShownResult =
  | { kind: 'paid'; payment: Payment; replayed: boolean }
  | { kind: 'failed'; message: string; hint?: string };

export function ResultPanel({ result, pending }: { result: ShownResult | undefined; pending: boolean }) {
  if (!result) {
    return (
      <div className="result empty" data-testid="last-result">
        {pending ? 'Paying…' : 'No payment yet for this intent.'}
      </div>
    );
  }
  if (result.kind === 'failed') {
    return (
      <div className="result failed" data-testid="last-result">
        <strong>{result.message}</strong>
        {result.hint && <div className="muted">{result.hint}</div>}
      </div>
    );
  }
  const { payment, replayed } = result;
  return (
    <div className="result paid" data-testid="last-result">
      <div className="result-head">
        <span className="charge-id">{payment.chargeId}</span>
        {replayed ? (
          <span className="badge replayed" data-testid="replayed-badge">
            Replayed · no new charge
          </span>
        ) : (
          <span className="badge executed">Charged</span>
        )}
      </div>
      <div>
        {formatCents(payment.amountCents)} from <strong>{payment.user}</strong> at{' '}
        {payment.chargedAt.toISOString().slice(11, 19)} UTC
      </div>
    </div>
  );
}
