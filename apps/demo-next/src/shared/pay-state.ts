import type { ActionResult } from 'trpc-guardrails/next';
import type { Payment } from '../server/pay';

export type { Payment };

/** The Pay form's state: the last attempt's outcome, the key and amount it was sent with. */
export type PayState = (ActionResult<Payment> & { key: string; amount: string; at: number }) | null;

/**
 * Whether the next attempt keeps the key: yes after a failure the same intent may retry (it
 * replays if it ran), no after a success (a new intent) or a key used with another amount.
 */
export function keepsKey(state: NonNullable<PayState>): boolean {
  if (state.ok) return false;
  return !(state.guardrails?.kind === 'idempotency' && state.guardrails.reason === 'payload-mismatch');
}
