import type { Redis } from '@upstash/redis';

/** What `ledger.stats` answers. Shared by every server instance on the same store. */
export interface LedgerStats {
  /** Charges the fake payment provider made. */
  charges: number;
  chargedCents: number;
  /** Intents (owner + key) the provider charged more than once. Must stay 0. */
  doubleCharges: number;
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
  recentCharges: Charge[];
}

export type Counter = Exclude<
  keyof LedgerStats,
  'recentCharges' | 'charges' | 'chargedCents' | 'doubleCharges'
>;

export interface Charge {
  chargeId: string;
  owner: string;
  idempotencyKey: string;
  amountCents: number;
  /** Epoch milliseconds. */
  at: number;
}

/** The fake payment provider's books plus the demo's counters. */
export interface Ledger {
  recordCharge(charge: Omit<Charge, 'chargeId' | 'at'>): Promise<Charge>;
  count(counter: Counter): Promise<void>;
  /** Counts without making the caller wait; `stats()` waits for every pending count of this process. */
  countLater(counter: Counter): void;
  stats(): Promise<LedgerStats>;
}

const RECENT = 8;

const EMPTY: Omit<LedgerStats, 'recentCharges'> = {
  charges: 0,
  chargedCents: 0,
  doubleCharges: 0,
  invoices: 0,
  webhooks: 0,
  executions: 0,
  replays: 0,
  conflicts: 0,
  limited: 0,
  droppedResponses: 0,
  storeErrors: 0,
};

/** Keeps the ledger in Redis under `{prefix}:ledger:*`, so several server instances share it. */
export function redisLedger(redis: Redis, prefix: string): Ledger {
  const counters = `${prefix}:ledger:counters`;
  const perIntent = `${prefix}:ledger:charges-per-intent`;
  const recent = `${prefix}:ledger:recent`;
  const pending = new Set<Promise<unknown>>();

  async function count(counter: Counter): Promise<void> {
    await redis.hincrby(counters, counter, 1);
  }

  return {
    async recordCharge(charge) {
      const [charges, , timesCharged] = await redis
        .pipeline()
        .hincrby(counters, 'charges', 1)
        .hincrby(counters, 'chargedCents', charge.amountCents)
        .hincrby(perIntent, `${charge.owner}:${charge.idempotencyKey}`, 1)
        .exec<[number, number, number]>();
      const recorded: Charge = { ...charge, chargeId: chargeId(charges), at: Date.now() };
      const write = redis
        .pipeline()
        .lpush(recent, JSON.stringify(recorded))
        .ltrim(recent, 0, RECENT - 1);
      if (timesCharged === 2) write.hincrby(counters, 'doubleCharges', 1);
      await write.exec();
      return recorded;
    },
    count,
    countLater(counter) {
      const done = count(counter).catch((error) => console.error('[demo-server] ledger count failed', error));
      pending.add(done);
      void done.finally(() => pending.delete(done));
    },
    async stats() {
      await Promise.all(pending);
      const [hash, list] = await redis
        .pipeline()
        .hgetall(counters)
        .lrange(recent, 0, RECENT - 1)
        .exec<[Record<string, unknown> | null, unknown[]]>();
      const stats = { ...EMPTY };
      for (const field of Object.keys(stats) as (keyof typeof EMPTY)[]) {
        stats[field] = Number(hash?.[field] ?? 0);
      }
      const recentCharges = list.map(
        (item) => (typeof item === 'string' ? JSON.parse(item) : item) as Charge,
      );
      return { ...stats, recentCharges };
    },
  };
}

/** Keeps the ledger in this process (memory store). */
export function memoryLedger(): Ledger {
  const stats = { ...EMPTY };
  const perIntent = new Map<string, number>();
  const recent: Charge[] = [];
  return {
    async recordCharge(charge) {
      stats.charges++;
      stats.chargedCents += charge.amountCents;
      const intent = `${charge.owner}:${charge.idempotencyKey}`;
      const times = (perIntent.get(intent) ?? 0) + 1;
      perIntent.set(intent, times);
      if (times === 2) stats.doubleCharges++;
      const recorded: Charge = { ...charge, chargeId: chargeId(stats.charges), at: Date.now() };
      recent.unshift(recorded);
      recent.length = Math.min(recent.length, RECENT);
      return recorded;
    },
    async count(counter) {
      stats[counter]++;
    },
    countLater(counter) {
      stats[counter]++;
    },
    async stats() {
      return { ...stats, recentCharges: [...recent] };
    },
  };
}

function chargeId(sequence: number): string {
  return `ch_${String(sequence).padStart(5, '0')}`;
}
