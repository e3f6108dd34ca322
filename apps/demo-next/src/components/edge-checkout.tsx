'use client';

import { useCallback, useEffect, useState } from 'react';
import { getGuardrailsError, type RateLimitErrorData } from 'trpc-guardrails/client';
import { useIdempotencyKey } from 'trpc-guardrails/react';
import type { DemoUser } from '../server/context';
import type { LedgerStats } from '../server/ledger/ledger';
import { createEdgeClient, wasReplayed } from './edge-client';
import { formatAmount, shortKey } from './format';
import { LedgerView } from './ledger-view';
import { RateLimitNotice } from './rate-limit-notice';
import { ResultPanel, type ShownResult } from './result-panel';
import { UserPicker } from './user-picker';

/** Pay through the edge route handler (`/api/trpc`, `runtime = 'edge'`) with `httpBatchLink`. */
export function EdgeCheckout({
  user,
  store,
  available,
}: {
  user: DemoUser;
  store: string;
  available: boolean;
}) {
  const [client] = useState(createEdgeClient);
  const { key, rotate } = useIdempotencyKey();
  const [mounted, setMounted] = useState(false);
  const [amount, setAmount] = useState('12.50');
  const [pending, setPending] = useState(0);
  const [result, setResult] = useState<ShownResult>();
  const [limit, setLimit] = useState<{ data: RateLimitErrorData; since: number }>();
  const [stats, setStats] = useState<LedgerStats>();

  const refreshStats = useCallback(
    () => client.ledger.stats.query().then(setStats, () => setStats(undefined)),
    [client],
  );
  useEffect(() => {
    setMounted(true);
    if (available) void refreshStats();
  }, [available, refreshStats]);

  async function payOnce() {
    setPending((count) => count + 1);
    try {
      const payment = await client.checkout.pay.mutate({ idempotencyKey: key, amount });
      setLimit(undefined);
      const replayed = wasReplayed(payment);
      // A double click gets two answers for one charge, in either order (the owner's and its
      // replay's leave the server together): once one said "replayed", the other does not undo it.
      setResult((shown) =>
        shown?.kind === 'paid' && shown.payment.chargeId === payment.chargeId && shown.replayed
          ? shown
          : { kind: 'paid', payment, replayed },
      );
      rotate();
    } catch (error) {
      const guardrails = getGuardrailsError(error);
      if (guardrails?.kind === 'rate-limit') setLimit({ data: guardrails, since: Date.now() });
      else {
        setLimit(undefined);
        setResult({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    } finally {
      setPending((count) => count - 1);
      void refreshStats();
    }
  }

  return (
    <div className="grid">
      <section className="card">
        <h2>Checkout · edge route handler</h2>
        <UserPicker user={user} onChange={rotate} />
        <div className="fields">
          <label>
            Amount (USD)
            <input
              data-testid="amount-input"
              inputMode="decimal"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
            />
          </label>
        </div>
        <p className="intent">
          Intent key{' '}
          <code title={mounted ? key : undefined} data-testid="intent-key">
            {mounted ? shortKey(key) : '…'}
          </code>
          <span className="muted"> — made in the browser by useIdempotencyKey()</span>
        </p>
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="pay-button"
            disabled={!mounted || !available}
            onClick={() => void payOnce()}
          >
            {pending > 0 ? 'Paying…' : `Pay ${formatAmount(amount)}`}
          </button>
          <button
            type="button"
            data-testid="new-intent-button"
            onClick={() => {
              rotate();
              setResult(undefined);
            }}
          >
            New payment
          </button>
        </div>
        {limit && <RateLimitNotice key={limit.since} limit={limit.data} since={limit.since} />}
        <ResultPanel result={limit ? undefined : result} pending={pending > 0} />
        <p className="hint muted">
          Both clicks of a double click are sent at once with the same key: the edge function runs one, the
          other waits for its result.
        </p>
      </section>
      <LedgerView stats={stats} store={store} />
    </div>
  );
}
