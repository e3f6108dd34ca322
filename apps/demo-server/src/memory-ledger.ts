import {
  type Charge,
  type ChargeOutcome,
  chargeId,
  EMPTY_STATS,
  type Ledger,
  type LedgerStats,
  RECENT_CHARGES,
} from './ledger.js';

/** Keeps the ledger in this process (memory store). */
export function memoryLedger(): Ledger {
  const stats = { ...EMPTY_STATS };
  const tokens = new Map<string, number>();
  const byIntent = new Map<string, Charge[]>();
  const recent: Charge[] = [];
  return {
    async charge(attempt): Promise<ChargeOutcome> {
      const intent = `${attempt.owner}:${attempt.idempotencyKey}`;
      const newest = tokens.get(intent);
      if (newest !== undefined && attempt.token < newest) {
        stats.staleAttempts++;
        return { kind: 'stale', newerToken: newest };
      }
      if (newest !== undefined && attempt.token === newest) {
        // The same attempt again (a request sent twice): its charge again.
        return { kind: 'charged', charge: byIntent.get(intent)!.at(-1)! };
      }
      if (newest !== undefined) stats.doubleCharges++;
      tokens.set(intent, attempt.token);
      stats.charges++;
      stats.chargedCents += attempt.amountCents;
      const charge: Charge = {
        chargeId: chargeId(stats.charges),
        owner: attempt.owner,
        idempotencyKey: attempt.idempotencyKey,
        amountCents: attempt.amountCents,
        at: Date.now(),
      };
      recent.unshift(charge);
      recent.length = Math.min(recent.length, RECENT_CHARGES);
      byIntent.set(intent, [...(byIntent.get(intent) ?? []), charge]);
      return { kind: 'charged', charge };
    },
    async lookup({ owner, idempotencyKey }) {
      return byIntent.get(`${owner}:${idempotencyKey}`) ?? [];
    },
    async count(counter) {
      stats[counter]++;
    },
    countLater(counter) {
      stats[counter]++;
    },
    async stats(): Promise<LedgerStats> {
      return { ...stats, recentCharges: [...recent] };
    },
  };
}
