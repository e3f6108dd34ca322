import { TRPCError } from '@trpc/server';
import type { Charge, ChargeAttempt, Ledger } from './ledger/ledger';

/** The amount the fake provider always declines, to show that errors are replayed too. */
export const DECLINED_AMOUNT_CENTS = 1337;

export interface PaymentProvider {
  /** Charges the card: every call with a new fencing token moves money. */
  charge(attempt: ChargeAttempt): Promise<Charge>;
}

/**
 * A provider that takes its time (so double clicks overlap), does not deduplicate by key (the
 * guard in front of it has to), and refuses an attempt older than one it has seen for the intent.
 * Timers and fetch only: it runs in the edge runtime too.
 */
export function fakePaymentProvider({
  ledger,
  delayMs,
}: {
  ledger: Ledger;
  delayMs: number;
}): PaymentProvider {
  return {
    async charge(attempt) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (attempt.amountCents === DECLINED_AMOUNT_CENTS) {
        throw new TRPCError({
          code: 'PAYMENT_REQUIRED',
          message: 'Card declined (the demo declines $13.37)',
        });
      }
      const outcome = await ledger.charge(attempt);
      if (outcome.kind === 'stale') {
        throw new TRPCError({
          code: 'CONFLICT',
          message: `A newer attempt of this payment (fencing token ${outcome.newerToken}) already reached the provider`,
        });
      }
      return outcome.charge;
    },
  };
}
