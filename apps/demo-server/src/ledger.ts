/** What `ledger.stats` answers. Shared by every server instance on the same store. */
export interface LedgerStats {
  /** Charges the fake payment provider made. */
  charges: number;
  chargedCents: number;
  /**
   * Intents (owner + key) the provider charged more than once. Stays 0 unless an owner lost
   * its lease after charging (reported as `outcome-lost`, counted in `outcomesLost`).
   */
  doubleCharges: number;
  /**
   * Charge attempts the provider refused because their fencing token was older than one it had
   * already seen for the intent: a stale owner that woke up after a takeover.
   */
  staleAttempts: number;
  invoices: number;
  /** Webhook deliveries whose handler ran. */
  webhooks: number;
  /** Handler executions of guarded procedures (`executed` events). */
  executions: number;
  /** Stored outcomes returned without running the handler (`replayed` events). */
  replays: number;
  /** Duplicates refused: in progress or different input (`conflict` events). */
  conflicts: number;
  /** Calls refused by a rate limit (`limited` events). */
  limited: number;
  /** Responses the "flaky network" switch threw away after the handler ran. */
  droppedResponses: number;
  storeErrors: number;
  /** Outcomes stored by a background retry after the store came back (`outcome-stored`). */
  outcomesStoredLate: number;
  /** Outcomes that could not be recorded (`outcome-lost`): a duplicate may run again. */
  outcomesLost: number;
  recentCharges: Charge[];
}

export type Counter = Exclude<
  keyof LedgerStats,
  'recentCharges' | 'charges' | 'chargedCents' | 'doubleCharges' | 'staleAttempts'
>;

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

/**
 * What the provider did with an attempt: charged (again, for a newer attempt of an intent it
 * already charged: a double charge, which it counts; the same charge for the same attempt sent
 * twice); or refused it, because a newer attempt of the intent was already seen. Like a provider
 * that checks fencing tokens but does not deduplicate by key: the guard in front of it has to.
 */
export type ChargeOutcome = { kind: 'charged'; charge: Charge } | { kind: 'stale'; newerToken: number };

/** The fake provider's books plus the demo's counters. */
export interface Ledger {
  /** Charges, refusing an attempt older than the newest one seen for its intent. */
  charge(attempt: ChargeAttempt): Promise<ChargeOutcome>;
  /** Every charge the provider made for one intent: what an operator reconciles with. */
  lookup(intent: { owner: string; idempotencyKey: string }): Promise<Charge[]>;
  count(counter: Counter): Promise<void>;
  /** Counts without making the caller wait; `stats()` waits for every pending count of this process. */
  countLater(counter: Counter): void;
  stats(): Promise<LedgerStats>;
}

export const RECENT_CHARGES = 8;

export const EMPTY_STATS: Omit<LedgerStats, 'recentCharges'> = {
  charges: 0,
  chargedCents: 0,
  doubleCharges: 0,
  staleAttempts: 0,
  invoices: 0,
  webhooks: 0,
  executions: 0,
  replays: 0,
  conflicts: 0,
  limited: 0,
  droppedResponses: 0,
  storeErrors: 0,
  outcomesStoredLate: 0,
  outcomesLost: 0,
};

export function chargeId(sequence: number): string {
  return `ch_${String(sequence).padStart(5, '0')}`;
}
