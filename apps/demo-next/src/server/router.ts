import type { CheckoutApp } from './checkout-app';
import { PAY_IDEMPOTENCY, pay, payInput } from './pay';
import { t } from './trpc';

/** The HTTP router (the edge route handler): the same guard, scopes and handler as the Server Action. */
export function createCheckoutRouter(app: CheckoutApp) {
  return t.router({
    checkout: t.router({
      pay: app.procedure
        .rateLimited(['ip', 'user'])
        .idempotent(PAY_IDEMPOTENCY)
        .input(payInput)
        .mutation(({ input, ctx }) =>
          pay(app.provider, { amountCents: input.amount, userId: ctx.userId, idempotency: ctx.idempotency }),
        ),
    }),
    ledger: t.router({
      stats: t.procedure.query(async () => ({ store: app.env.store.kind, ...(await app.ledger.stats()) })),
    }),
  });
}

export type AppRouter = ReturnType<typeof createCheckoutRouter>;
