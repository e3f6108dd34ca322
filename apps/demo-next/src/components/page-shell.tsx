import Link from 'next/link';
import type { ReactNode } from 'react';

const TABS = [
  { href: '/', label: 'Server Action' },
  { href: '/edge', label: 'Edge route handler' },
] as const;

/** Masthead, the two pages' tabs and the store in use. */
export function PageShell({
  current,
  store,
  address,
  children,
}: {
  current: (typeof TABS)[number]['href'];
  store: string;
  address: string;
  children: ReactNode;
}) {
  return (
    <div className="page">
      <header className="masthead">
        <svg className="logo" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z" fill="#4f46e5" />
          <path d="m8.5 12 2.5 2.5 4.5-5" fill="none" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <div>
          <h1>A Next.js checkout that cannot double-charge</h1>
          <p>
            <code>checkout.pay</code> is <code>.rateLimited(['ip', 'user']).idempotent()</code>, served as a
            Server Action and by an edge route handler.
          </p>
        </div>
      </header>
      <nav className="tabs">
        {TABS.map((tab) => (
          <Link key={tab.href} href={tab.href} aria-current={tab.href === current ? 'page' : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      {children}
      <footer className="footnote">
        Store: <span data-testid="store-description">{store}</span>. The <code>ip</code> scope keys on{' '}
        {address}.
      </footer>
    </div>
  );
}
