'use client';

import { useActionState, useState } from 'react';
import { payAction } from '../actions/checkout-actions';
import type { DemoUser } from '../server/context';
import type { PayState } from '../shared/pay-state';
import { formatAmount, shortKey } from './format';
import { RateLimitNotice } from './rate-limit-notice';
import { ResultPanel, type ShownResult } from './result-panel';
import { useIntentKey } from './use-intent-key';
import { UserPicker } from './user-picker';

/**
 * Pay through a Server Action. A plain `<form action>`: without JavaScript the browser posts it
 * and Next renders the page with the action's state; with JavaScript React submits it, queueing
 * a second submit behind the first (which then replays).
 */
export function CheckoutForm({ serverKey, user }: { serverKey: string; user: DemoUser }) {
  const [state, formAction, pending] = useActionState(payAction, null);
  const { key, startNewIntent } = useIntentKey(serverKey, state);
  const [amount, setAmount] = useState(state?.amount || '12.50');
  const [dismissed, setDismissed] = useState<PayState>(null);
  const shown = state === dismissed ? null : state;
  const limit = shown && !shown.ok && shown.guardrails?.kind === 'rate-limit' ? shown.guardrails : undefined;

  return (
    <section className="card">
      <h2>Checkout · Server Action</h2>
      <UserPicker user={user} onChange={startNewIntent} />
      <form action={formAction}>
        <input type="hidden" name="idempotencyKey" value={key} />
        <div className="fields">
          <label>
            Amount (USD)
            <input
              name="amount"
              data-testid="amount-input"
              inputMode="decimal"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
            />
          </label>
        </div>
        <p className="intent">
          Intent key{' '}
          <code title={key} data-testid="intent-key">
            {shortKey(key)}
          </code>
          <span className="muted"> — sent with every submit of this intent</span>
        </p>
        <div className="actions">
          <button type="submit" className="primary" data-testid="pay-button">
            {pending ? 'Paying…' : `Pay ${formatAmount(amount)}`}
          </button>
          <a
            href="/"
            className="button"
            data-testid="new-intent-button"
            onClick={(event) => {
              event.preventDefault();
              startNewIntent();
              setDismissed(state);
            }}
          >
            New payment
          </a>
        </div>
      </form>
      {limit && shown && <RateLimitNotice key={shown.at} limit={limit} since={shown.at} />}
      <ResultPanel result={limit ? undefined : toShown(shown)} pending={pending} />
      <p className="hint muted">
        <em>Pay</em> stays enabled on purpose: double-click it — the second submit carries the same key and
        replays. A successful payment starts a new intent.
      </p>
    </section>
  );
}

function toShown(state: PayState): ShownResult | undefined {
  if (!state) return undefined;
  if (state.ok) return { kind: 'paid', payment: state.data, replayed: state.replayed };
  const reason = state.guardrails?.kind === 'idempotency' ? state.guardrails.reason : undefined;
  if (reason === 'payload-mismatch') {
    return {
      kind: 'failed',
      message: 'This intent was already paid with another amount.',
      hint: 'Press “New payment”.',
    };
  }
  if (reason === 'in-progress') {
    return {
      kind: 'failed',
      message: 'This payment is still running.',
      hint: 'Press Pay again in a moment: it replays.',
    };
  }
  return { kind: 'failed', message: state.message };
}
