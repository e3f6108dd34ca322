import { setTimeout as sleep } from 'node:timers/promises';
import { TRPCError } from '@trpc/server';
import type { Charge, ChargeAttempt, Ledger } from './ledger.js';

/** The amount that the fake provider always declines, to show that errors are replayed too. */
export const DECLINED_AMOUNT_CENTS = 1337;

export interface PaymentProvider {
  /**
   * Charges the card. Every call with a new fencing token moves money: two executions of one
   * intent double-charge. An attempt older than one already seen is refused.
   */
  charge(attempt: ChargeAttempt): Promise<Charge>;
}

/**
 * A payment provider that takes its time (`delayMs`, so double clicks overlap) and writes every
 * charge to the ledger. It receives the idempotency key, but does not deduplicate by it: the
 * guard in front of it has to. It does check the guard's fencing token (`ctx.idempotency.token`),
 * as a database row version would: an owner that lost its lease while paused, and wakes up after
 * another attempt took over, is refused instead of charging a second time.
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
      await sleep(delayMs);
      if (attempt.amountCents === DECLINED_AMOUNT_CENTS) {
        throw new TRPCError({
          code: 'PAYMENT_REQUIRED',
          message: 'Card declined (the demo declines $13.37)',
        });
      }
      let outcome: Awaited<ReturnType<Ledger['charge']>>;
      try {
        outcome = await ledger.charge(attempt);
      } catch (cause) {
        // The provider's own store could not be reached: nothing was charged, so the intent may
        // run again (the router keeps this error out of the idempotency record).
        throw new TRPCError({
          code: 'SERVICE_UNAVAILABLE',
          message: 'The payment provider is unavailable; nothing was charged',
          cause,
        });
      }
      if (outcome.kind === 'stale') {
        throw new TRPCError({
          code: 'CONFLICT',
          message: `A newer attempt of this payment (fencing token ${outcome.newerToken}) already reached the provider; this one (${attempt.token}) was refused`,
        });
      }
      return outcome.charge;
    },
  };
}
