import type { LedgerStats } from '../server/ledger/ledger';
import { formatCents, shortKey } from './format';

/** The fake provider's books. No hooks: the Server Action page renders it on the server. */
export function LedgerView({ stats, store }: { stats: LedgerStats | undefined; store: string }) {
  const rows: [string, number | undefined][] = [
    ['Handler executions', stats?.executions],
    ['Replays', stats?.replays],
    ['Rate limited (429)', stats?.limited],
    ['Conflicts', stats?.conflicts],
  ];
  return (
    <section className="card ledger">
      <h2>
        Payment provider ledger <span className="store">store: {store}</span>
      </h2>
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
      <dl className="counters">
        {rows.map(([label, value]) => (
          <div key={label}>
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
    </section>
  );
}
