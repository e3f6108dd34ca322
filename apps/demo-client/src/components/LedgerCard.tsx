import { useQuery } from '@tanstack/react-query';
import { formatCents, shortKey } from '../format.js';
import { useTRPC } from '../trpc.js';

export function LedgerCard() {
  const trpc = useTRPC();
  const { data: stats, error } = useQuery(
    trpc.ledger.stats.queryOptions(undefined, { refetchInterval: 1500 }),
  );
  const rows: [string, number | undefined][] = [
    ['Handler executions', stats?.executions],
    ['Replays', stats?.replays],
    ['Rate limited (429)', stats?.limited],
    ['Conflicts', stats?.conflicts],
    ['Responses lost', stats?.droppedResponses],
    ['Stale attempts refused', stats?.staleAttempts],
    ['Double charges', stats?.doubleCharges],
  ];
  return (
    <section className="card ledger">
      <h2>Payment provider ledger {stats && <span className="store">store: {stats.store}</span>}</h2>
      <div className="headline">
        <span className="big" data-testid="charge-count">
          {stats?.charges ?? '–'}
        </span>
        <span>
          charges
          <br />
          <span className="muted">{stats ? formatCents(stats.chargedCents) : ''} in total</span>
        </span>
      </div>
      {error && <p className="failed">Ledger unavailable: {error.message}</p>}
      <dl className="counters">
        {rows.map(([label, value]) => (
          <div key={label} className={label === 'Double charges' && value ? 'bad' : undefined}>
            <dt>{label}</dt>
            <dd>{value ?? '–'}</dd>
          </div>
        ))}
      </dl>
      <h3>Latest charges</h3>
      <table className="charges">
        <thead>
          <tr>
            <th>Charge</th>
            <th>Customer</th>
            <th>Amount</th>
            <th>Intent key</th>
          </tr>
        </thead>
        <tbody>
          {stats?.recentCharges.map((charge) => (
            <tr key={charge.chargeId}>
              <td>{charge.chargeId}</td>
              <td>{charge.owner}</td>
              <td>{formatCents(charge.amountCents)}</td>
              <td>
                <code>{shortKey(charge.idempotencyKey)}</code>
              </td>
            </tr>
          ))}
          {stats?.recentCharges.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No charges yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p className="muted small">Kept in the same store as the guard, so every server instance sees it.</p>
    </section>
  );
}
