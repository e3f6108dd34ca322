import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import {
  createGuardrails,
  type Duration,
  type GuardrailsEvent,
  type GuardrailsStore,
  guardrailsErrorFormatter,
  ipScope,
  slidingWindow,
} from 'trpc-guardrails';
import { z } from 'zod';
import type { DemoContext } from './context.js';
import type { Ledger } from './ledger.js';
import type { PaymentProvider } from './payment-provider.js';
import type { StoreKind } from './store-selection.js';

export interface DemoLimit {
  limit: number;
  window: Duration;
}

/** Demo-friendly limits: a person clicking Pay reaches the user limit within seconds. */
export interface DemoLimits {
  /** @default 100 per 10 s */
  ip: DemoLimit;
  /** @default 5 per 10 s */
  user: DemoLimit;
}

export const DEFAULT_LIMITS: DemoLimits = {
  ip: { limit: 100, window: '10 s' },
  user: { limit: 5, window: '10 s' },
};

export interface DemoRouterOptions {
  store: GuardrailsStore;
  storeKind: StoreKind;
  prefix: string;
  limits: DemoLimits;
  ledger: Ledger;
  provider: PaymentProvider;
  onEvent: (event: GuardrailsEvent) => void;
  /** How long an execution may go without a heartbeat before a retry may take over. */
  lease: Duration;
}

const amountCents = z.number().int().positive().max(1_000_000);

/** The demo's guard and router; the server also uses the guard (client addresses, shutdown). */
export function createDemoApp(options: DemoRouterOptions) {
  const { ledger, provider } = options;
  const t = initTRPC
    .context<DemoContext>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter, isDev: false });
  const guard = createGuardrails<DemoContext>()({
    store: options.store,
    prefix: options.prefix,
    scopes: {
      // Keyed by the address the server resolved (IPv6 by its /56), never a header the client wrote.
      ip: ipScope({
        limiter: slidingWindow(options.limits.ip.limit, options.limits.ip.window),
        address: ({ ctx }) => ctx.ip,
      }),
      user: {
        limiter: slidingWindow(options.limits.user.limit, options.limits.user.window),
        identify: ({ ctx }) => ctx.userId,
      },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId, ttl: '24 h', lease: options.lease },
    headers: ({ ctx }) => ctx.res,
    onEvent: options.onEvent,
  });
  const procedure = guard.procedure(t.procedure);

  const router = t.router({
    checkout: t.router({
      /** Charges the caller's card once per intent, however often the request arrives. */
      pay: procedure
        .rateLimited(['ip', 'user'])
        // A provider outage charged nothing: let the retry run again instead of replaying the 503.
        .idempotent({ cacheError: (error) => error.code !== 'SERVICE_UNAVAILABLE' })
        .input(z.object({ amountCents }).strict())
        .mutation(async ({ input, ctx }) => {
          const charge = await provider.charge({
            owner: ctx.userId,
            idempotencyKey: ctx.idempotency.key,
            amountCents: input.amountCents,
            token: ctx.idempotency.token,
          });
          return {
            chargeId: charge.chargeId,
            user: ctx.userId,
            amountCents: charge.amountCents,
            chargedAt: new Date(charge.at),
          };
        }),
    }),
    invoices: t.router({
      create: procedure
        .rateLimited('user')
        .idempotent()
        .input(z.object({ customer: z.string().min(1).max(80), amountCents }).strict())
        .mutation(async ({ input, ctx }) => {
          await ledger.count('invoices');
          return {
            invoiceId: `in_${ctx.idempotency.token.toString(36)}`,
            customer: input.customer,
            total: BigInt(input.amountCents),
            createdAt: new Date(),
          };
        }),
    }),
    webhooks: t.router({
      /** The provider redelivers events; the event id is the key, shared by every delivery. */
      payment: procedure
        .idempotent({
          key: ({ rawInput }) => {
            const eventId = (rawInput as { eventId?: unknown } | undefined)?.eventId;
            return typeof eventId === 'string' ? eventId : undefined;
          },
          owner: () => 'payment-provider',
        })
        .input(
          z.object({
            eventId: z.string().min(1),
            type: z.enum(['charge.succeeded', 'charge.refunded']),
            chargeId: z.string(),
          }),
        )
        .mutation(async ({ input }) => {
          await ledger.count('webhooks');
          return { received: true as const, eventId: input.eventId, processedAt: new Date() };
        }),
    }),
    ledger: t.router({
      stats: t.procedure.query(async () => ({ store: options.storeKind, ...(await ledger.stats()) })),
      /** The provider's charges for one intent: where an operator reconciles an `outcome-lost` line. */
      lookup: t.procedure
        .input(z.object({ owner: z.string().max(80), idempotencyKey: z.string().max(255) }))
        .query(({ input }) => ledger.lookup(input)),
    }),
  });
  return { router, guard };
}

export type AppRouter = ReturnType<typeof createDemoApp>['router'];
