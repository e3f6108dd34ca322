/** One charge the fake provider made. */
export interface Charge {
  chargeId: string;
  owner: string;
  idempotencyKey: string;
  amountCents: number;
  /** Epoch milliseconds. */
  at: number;
}

/** One attempt to charge an intent, carrying the guard's fencing token. */
export interface ChargeAttempt {
  owner: string;
  idempotencyKey: string;
  amountCents: number;
  /** `ctx.idempotency.token`: strictly larger for every newer execution of the intent. */
  token: number;
}

/** Charged, or refused because a newer attempt of the intent already reached the provider. */
export type ChargeOutcome = { kind: 'charged'; charge: Charge } | { kind: 'stale'; newerToken: number };

/** Guard decisions the ledger counts, from the guard's `onEvent`. */
export type Counter = 'executions' | 'replays' | 'limited' | 'conflicts';

/** What the page shows and the tests measure. Shared by every instance on the same store. */
export interface LedgerStats extends Record<Counter, number> {
  charges: number;
  chargedCents: number;
  recentCharges: Charge[];
}

/** The fake provider's books plus the demo's counters. */
export interface Ledger {
  /** Charges, refusing an attempt older than the newest one seen for its intent. */
  charge(attempt: ChargeAttempt): Promise<ChargeOutcome>;
  count(counter: Counter): Promise<void>;
  stats(): Promise<LedgerStats>;
}

export const RECENT_CHARGES = 5;

export const COUNTERS: readonly Counter[] = ['executions', 'replays', 'limited', 'conflicts'];

export function chargeId(sequence: number): string {
  return `ch_${String(sequence).padStart(5, '0')}`;
}
