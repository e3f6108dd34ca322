import { setTimeout as sleep } from 'node:timers/promises';
import { TRPCError } from '@trpc/server';
import type { Charge, Ledger } from './ledger.js';

/** The amount that the fake provider always declines, to show that errors are replayed too. */
export const DECLINED_AMOUNT_CENTS = 1337;

export interface PaymentProvider {
  /** Charges the card. Every call moves money: calling it twice for one intent double-charges. */
  charge(request: { owner: string; idempotencyKey: string; amountCents: number }): Promise<Charge>;
}

/**
 * A payment provider that takes its time (`delayMs`, so double clicks overlap) and writes every
 * charge to the ledger. Like Stripe it receives the idempotency key, but it does not dedupe:
 * the guard in front of it has to.
 */
export function fakePaymentProvider({
  ledger,
  delayMs,
}: {
  ledger: Ledger;
  delayMs: number;
}): PaymentProvider {
  return {
    async charge(request) {
      await sleep(delayMs);
      if (request.amountCents === DECLINED_AMOUNT_CENTS) {
        throw new TRPCError({
          code: 'PAYMENT_REQUIRED',
          message: 'Card declined (the demo declines $13.37)',
        });
      }
      return ledger.recordCharge(request);
    },
  };
}
