import { useMutation, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from 'demo-server';
import { useState } from 'react';
import { getGuardrailsError } from 'trpc-guardrails/client';
import { useIdempotencyKey } from 'trpc-guardrails/react';
import { updateSettings, useDemoSettings } from '../demo-settings.js';
import { formatCents, parseAmount, shortKey } from '../format.js';
import { getResponseInfo, type ResponseInfo } from '../response-info.js';
import { useTRPC } from '../trpc.js';
import { type RateLimit, RateLimitNotice } from './RateLimitNotice.js';
import { ResultPanel } from './ResultPanel.js';

const USERS = ['alice', 'bob', 'carol'] as const;

type Payment = inferRouterOutputs<AppRouter>['checkout']['pay'];

export type Outcome =
  | { kind: 'paid'; payment: Payment; info: ResponseInfo | undefined }
  | { kind: 'failed'; message: string; hint?: string };

export function CheckoutCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useDemoSettings();
  const { key, rotate } = useIdempotencyKey();
  const [amountText, setAmountText] = useState('12.50');
  const [outcome, setOutcome] = useState<Outcome>();
  const [rateLimit, setRateLimit] = useState<RateLimit>();
  const amountCents = parseAmount(amountText);

  const pay = useMutation(
    trpc.checkout.pay.mutationOptions({
      // A double click gets two answers for one charge, in either order (the owner's and its
      // replay's leave the server together): once one said "replayed", the other does not undo it.
      onSuccess: (payment) =>
        setOutcome((shown) =>
          shown?.kind === 'paid' && shown.payment.chargeId === payment.chargeId && shown.info?.replayed
            ? shown
            : { kind: 'paid', payment, info: getResponseInfo(payment) },
        ),
      onError: (error) => {
        const guardrails = getGuardrailsError(error);
        if (guardrails?.kind === 'rate-limit') {
          setRateLimit({ ...guardrails, until: Date.now() + guardrails.retryAfter * 1000 });
          return;
        }
        setOutcome(describeFailure(error));
      },
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.ledger.stats.queryKey() }),
    }),
  );

  function startNewIntent() {
    rotate();
    setOutcome(undefined);
  }

  return (
    <section className="card">
      <h2>Checkout</h2>
      <div className="fields">
        <label>
          Customer
          <select
            data-testid="user-select"
            value={settings.user}
            onChange={(event) => {
              updateSettings({ user: event.target.value });
              startNewIntent();
            }}
          >
            {USERS.map((user) => (
              <option key={user} value={user}>
                {user}
              </option>
            ))}
          </select>
        </label>
        <label>
          Amount (USD)
          <input
            data-testid="amount-input"
            inputMode="decimal"
            value={amountText}
            aria-invalid={amountCents === undefined}
            onChange={(event) => setAmountText(event.target.value)}
          />
        </label>
      </div>
      <p className="intent">
        Intent key <code title={key}>{shortKey(key)}</code>
        <span className="muted"> — kept for every retry until you start a new payment</span>
      </p>
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="pay-button"
          disabled={amountCents === undefined}
          onClick={() => amountCents !== undefined && pay.mutate({ amountCents, idempotencyKey: key })}
        >
          {pay.isPending ? 'Paying…' : `Pay ${amountCents === undefined ? '' : formatCents(amountCents)}`}
        </button>
        <button type="button" data-testid="new-intent-button" onClick={startNewIntent}>
          New payment
        </button>
      </div>
      <label className="switch">
        <input
          type="checkbox"
          data-testid="flaky-toggle"
          checked={settings.flakyArmed}
          onChange={(event) => updateSettings({ flakyArmed: event.target.checked })}
        />
        <span>
          <strong>Flaky network</strong> — the server runs the next payment, then the response is lost; the
          client retries with the same key
        </span>
      </label>
      <RateLimitNotice rateLimit={rateLimit} />
      <ResultPanel outcome={outcome} pending={pay.isPending} />
      <p className="hint muted">
        <em>Pay</em> stays enabled on purpose: double-click it, or press it again — the server replays the
        intent instead of charging twice.
      </p>
    </section>
  );
}

function describeFailure(error: unknown): Outcome {
  const guardrails = getGuardrailsError(error);
  if (guardrails?.kind === 'idempotency' && guardrails.reason === 'payload-mismatch') {
    return {
      kind: 'failed',
      message: 'This intent was already paid with another amount.',
      hint: 'Press “New payment” to pay a different amount.',
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const lost = error instanceof TRPCClientError && !error.data;
  return { kind: 'failed', message, hint: lost ? 'The network failed on every retry.' : undefined };
}
