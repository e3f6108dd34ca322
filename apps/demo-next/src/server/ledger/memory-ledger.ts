import { type Charge, type ChargeOutcome, chargeId, type Ledger, RECENT_CHARGES } from './ledger';

/** Keeps the ledger in this process: the memory store's companion. */
export function memoryLedger(): Ledger {
  const counts = { charges: 0, chargedCents: 0, executions: 0, replays: 0, limited: 0, conflicts: 0 };
  const tokens = new Map<string, number>();
  const lastCharge = new Map<string, Charge>();
  const recent: Charge[] = [];
  return {
    async charge(attempt): Promise<ChargeOutcome> {
      const intent = `${attempt.owner}:${attempt.idempotencyKey}`;
      const newest = tokens.get(intent);
      if (newest !== undefined && attempt.token < newest) return { kind: 'stale', newerToken: newest };
      const again = newest === attempt.token ? lastCharge.get(intent) : undefined;
      // The same attempt sent twice is the same charge.
      if (again) return { kind: 'charged', charge: again };
      tokens.set(intent, attempt.token);
      counts.charges++;
      counts.chargedCents += attempt.amountCents;
      const charge: Charge = {
        chargeId: chargeId(counts.charges),
        owner: attempt.owner,
        idempotencyKey: attempt.idempotencyKey,
        amountCents: attempt.amountCents,
        at: Date.now(),
      };
      lastCharge.set(intent, charge);
      recent.unshift(charge);
      recent.length = Math.min(recent.length, RECENT_CHARGES);
      return { kind: 'charged', charge };
    },
    async count(counter) {
      counts[counter]++;
    },
    async stats() {
      return { ...counts, recentCharges: [...recent] };
    },
  };
}
