import { createTRPCClient, httpLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from 'demo-server';
import superjson from 'superjson';
import { createIdempotencyKey, guardrailsRetryLink } from 'trpc-guardrails/client';
import { getSettings, takeFlaky } from './demo-settings.js';
import { responseInfoLink } from './response-info.js';

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

export function createDemoClient() {
  return createTRPCClient<AppRouter>({
    links: [
      // Retries only calls that carry an idempotency key: a lost response is sent again with the same key.
      guardrailsRetryLink({ retries: 3, baseDelayMs: 250 }),
      responseInfoLink(),
      httpLink({
        url: '/trpc',
        transformer: superjson,
        headers: ({ op }) => ({
          'x-demo-user': getSettings().user,
          ...(op.path === 'checkout.pay' && takeFlaky() && { 'x-demo-flaky': createIdempotencyKey() }),
        }),
      }),
    ],
  });
}
