import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { guardrailsErrorFormatter } from 'trpc-guardrails';
import type { CheckoutContext } from './context';

/** Server Actions have no router path: each guarded action names itself here. */
export interface CheckoutMeta {
  path?: string;
}

/** One tRPC instance for both transports: the edge route handler and the Server Actions. */
export const t = initTRPC
  .context<CheckoutContext>()
  .meta<CheckoutMeta>()
  .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter, isDev: false });
