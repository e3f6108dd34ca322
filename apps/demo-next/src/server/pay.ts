import type { TRPCError } from '@trpc/server';
import type { IdempotencyContext, IdempotentOptions } from 'trpc-guardrails';
import { z } from 'zod';
import type { CheckoutContext } from './context';
import type { PaymentProvider } from './payment-provider';

/** `"12.50"` → 1250 cents; the same rules for a JSON body and a posted form. */
const amount = z
  .string()
  .trim()
  .regex(/^\d{1,5}(\.\d{1,2})?$/, 'Enter an amount in dollars, such as 12.50')
  .transform((text) => Math.round(Number(text) * 100))
  .pipe(z.number().int().positive('Enter an amount above $0').max(1_000_000, 'At most $10,000'));

/** `checkout.pay` over HTTP (the edge route handler): `{ idempotencyKey, amount }`. */
export const payInput = z.object({ amount }).strict();

/**
 * `checkout.pay` as a Server Action: the posted `FormData` itself (`normalizeFormData: false`), so
 * the guard reads `idempotencyKey` from its field and fingerprints the entries. Fields other than
 * `amount` (React's own, if any) are ignored.
 */
export const payFormInput = z
  .instanceof(FormData)
  .transform((form) => ({ amount: form.get('amount') ?? '' }))
  .pipe(z.object({ amount }));

/**
 * Shared by both transports. A provider outage charged nothing: its 503 is not kept, so a retry
 * of the intent runs again instead of replaying the outage.
 */
export const PAY_IDEMPOTENCY = {
  cacheError: (error: TRPCError) => error.code !== 'SERVICE_UNAVAILABLE',
} satisfies IdempotentOptions<CheckoutContext>;

/** What one paid intent returns: replayed as is (the `Date` too) to every duplicate. */
export interface Payment {
  chargeId: string;
  user: string;
  amountCents: number;
  chargedAt: Date;
}

/** The handler of `checkout.pay`, whichever transport called it. */
export async function pay(
  provider: PaymentProvider,
  call: { amountCents: number; userId: string; idempotency: IdempotencyContext },
): Promise<Payment> {
  const charge = await provider.charge({
    owner: call.userId,
    idempotencyKey: call.idempotency.key,
    amountCents: call.amountCents,
    token: call.idempotency.token,
  });
  return {
    chargeId: charge.chargeId,
    user: call.userId,
    amountCents: charge.amountCents,
    chargedAt: new Date(charge.at),
  };
}
