import { cookies } from 'next/headers';
import { EdgeCheckout } from '@/components/edge-checkout';
import { PageShell } from '@/components/page-shell';
import { describeAddressSource } from '@/server/caller-address';
import { getCheckoutApp } from '@/server/checkout-app';
import { demoUser, USER_COOKIE } from '@/server/context';

/** The same procedure through `/api/trpc`, an edge route handler, from a client component. */
export default async function EdgePage() {
  const { env } = getCheckoutApp();
  const user = demoUser((await cookies()).get(USER_COOKIE)?.value);
  return (
    <PageShell current="/edge" store={env.store.description} address={describeAddressSource(env)}>
      {env.store.kind === 'memory' && (
        <p className="banner" data-testid="edge-unavailable">
          The edge route handler runs in its own sandbox and reaches the store over HTTP, so it needs Upstash:
          the in-memory store lives in the Node process only. Install <code>redis-server</code> (the demo then
          runs one behind upstash-local) or set <code>UPSTASH_REDIS_REST_URL</code> and{' '}
          <code>UPSTASH_REDIS_REST_TOKEN</code>.
        </p>
      )}
      <EdgeCheckout user={user} store={env.store.kind} available={env.store.kind !== 'memory'} />
    </PageShell>
  );
}
