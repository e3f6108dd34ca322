import { experimental_nextAppDirCaller } from '@trpc/server/adapters/next-app-dir';
import { cookies, headers } from 'next/headers';
import { actionResponseHeaders } from 'trpc-guardrails/next';
import { type CheckoutApp, getCheckoutApp } from './checkout-app';
import { type CheckoutContext, demoUser, USER_COOKIE } from './context';
import { PAY_IDEMPOTENCY, pay, payFormInput } from './pay';
import type { CheckoutMeta } from './trpc';

/**
 * `checkout.pay` as a function a `<form action>` can call: `(form: FormData) => Promise<Payment>`.
 * It throws `TRPCError`s; `toActionResult` turns them into data for the page.
 */
function createPayAction(app: CheckoutApp) {
  return app.procedure
    .experimental_caller(
      experimental_nextAppDirCaller({
        // The guard reads the key from the form's field and fingerprints the entries.
        normalizeFormData: false,
        // Idempotency records are scoped by path, and a Server Action has none: name it. An
        // action left unnamed gets '' and is refused, instead of sharing one namespace.
        pathExtractor: ({ meta }: { meta: CheckoutMeta }) => meta.path ?? '',
        createContext: async (): Promise<CheckoutContext> => ({
          ip: app.callerAddress(await headers()),
          userId: demoUser((await cookies()).get(USER_COOKIE)?.value),
          resHeaders: actionResponseHeaders(),
        }),
      }),
    )
    .meta({ path: 'checkout.pay' })
    .rateLimited(['ip', 'user'])
    .idempotent(PAY_IDEMPOTENCY)
    .input(payFormInput)
    .mutation(({ input, ctx }) =>
      pay(app.provider, { amountCents: input.amount, userId: ctx.userId, idempotency: ctx.idempotency }),
    );
}

let payAction: ReturnType<typeof createPayAction> | undefined;

/** Built on first use, from the runtime's app (the store is chosen at start, not at build). */
export function getPayAction(): ReturnType<typeof createPayAction> {
  payAction ??= createPayAction(getCheckoutApp());
  return payAction;
}
