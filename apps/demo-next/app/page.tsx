import { cookies } from 'next/headers';
import { createIdempotencyKey } from 'trpc-guardrails/client';
import { CheckoutForm } from '@/components/checkout-form';
import { LedgerView } from '@/components/ledger-view';
import { PageShell } from '@/components/page-shell';
import { describeAddressSource } from '@/server/caller-address';
import { getCheckoutApp } from '@/server/checkout-app';
import { demoUser, USER_COOKIE } from '@/server/context';

/** The Server Action checkout: works without JavaScript, the key comes with the markup. */
export default async function ServerActionPage() {
  const app = getCheckoutApp();
  const user = demoUser((await cookies()).get(USER_COOKIE)?.value);
  const stats = await app.ledger.stats();
  return (
    <PageShell current="/" store={app.env.store.description} address={describeAddressSource(app.env)}>
      <main className="grid">
        <CheckoutForm serverKey={createIdempotencyKey()} user={user} />
        <LedgerView stats={stats} store={app.env.store.kind} />
      </main>
    </PageShell>
  );
}
