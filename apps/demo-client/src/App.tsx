import { CheckoutCard } from './components/CheckoutCard.js';
import { LedgerCard } from './components/LedgerCard.js';

export function App() {
  return (
    <div className="page">
      <header className="masthead">
        <svg className="logo" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z" fill="#4f46e5" />
          <path d="m8.5 12 2.5 2.5 4.5-5" fill="none" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <div>
          <h1>A checkout that cannot double-charge</h1>
          <p>
            <code>checkout.pay</code> is <code>.rateLimited(['ip', 'user']).idempotent()</code>. Double-click,
            lose responses, hammer the button: one intent, one charge.
          </p>
        </div>
      </header>
      <main className="grid">
        <CheckoutCard />
        <LedgerCard />
      </main>
      <footer className="footnote">
        Every click of <em>Pay</em> sends the current intent's idempotency key; the first request runs the
        payment, every duplicate or retry gets the stored result. <em>New payment</em> starts a new intent.
        Built with tRPC, TanStack Query and <code>trpc-guardrails</code>.
      </footer>
    </div>
  );
}
