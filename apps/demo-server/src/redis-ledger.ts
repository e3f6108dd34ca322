import {
  type Charge,
  type ChargeOutcome,
  type Counter,
  EMPTY_STATS,
  type Ledger,
  type LedgerStats,
  RECENT_CHARGES,
} from './ledger.js';
import type { LedgerRedis } from './ledger-redis.js';

/**
 * KEYS[1] counters hash, KEYS[2] tokens hash (intent → newest token, as a string: Lua would
 * print it rounded), KEYS[3] recent charges list, KEYS[4] this intent's charges (a list)
 * ARGV: intent, token, owner, idempotency key, amount, now
 * returns {'charged', charge JSON} | {'stale', newer token}
 * The same token again is the same attempt (a request the client sent twice): its charge again.
 */
const CHARGE_SCRIPT = `
local intent, token = ARGV[1], tonumber(ARGV[2])
local seen = redis.call('HGET', KEYS[2], intent)
if seen and token < tonumber(seen) then
  redis.call('HINCRBY', KEYS[1], 'staleAttempts', 1)
  return {'stale', seen}
end
if seen and token == tonumber(seen) then
  return {'charged', redis.call('LINDEX', KEYS[4], -1)}
end
if seen then redis.call('HINCRBY', KEYS[1], 'doubleCharges', 1) end
redis.call('HSET', KEYS[2], intent, ARGV[2])
local sequence = redis.call('HINCRBY', KEYS[1], 'charges', 1)
redis.call('HINCRBY', KEYS[1], 'chargedCents', tonumber(ARGV[5]))
local charge = cjson.encode({ chargeId = string.format('ch_%05d', sequence), owner = ARGV[3],
  idempotencyKey = ARGV[4], amountCents = tonumber(ARGV[5]), at = tonumber(ARGV[6]) })
redis.call('LPUSH', KEYS[3], charge)
redis.call('LTRIM', KEYS[3], 0, ${RECENT_CHARGES - 1})
redis.call('RPUSH', KEYS[4], charge)
redis.call('PEXPIRE', KEYS[4], 86400000)
return {'charged', charge}
`;

/**
 * Keeps the ledger in Redis under `{prefix:ledger}:*` (one hash slot, so a Redis Cluster serves
 * it from one node), so several server instances share it. A charge and its fencing-token check are one script: atomic across
 * instances.
 */
export function redisLedger(redis: LedgerRedis, prefix: string): Ledger {
  const tag = `{${prefix}:ledger}`;
  const keys = [`${tag}:counters`, `${tag}:tokens`, `${tag}:recent`];
  const pending = new Set<Promise<unknown>>();
  const intentKey = ({ owner, idempotencyKey }: { owner: string; idempotencyKey: string }) =>
    `${tag}:intent:${owner}:${idempotencyKey}`;

  async function count(counter: Counter): Promise<void> {
    await redis.hincrby(keys[0]!, counter, 1);
  }

  return {
    async charge(attempt): Promise<ChargeOutcome> {
      const intent = `${attempt.owner}:${attempt.idempotencyKey}`;
      const [kind, value] = (await redis.eval(
        CHARGE_SCRIPT,
        [...keys, intentKey(attempt)],
        [
          intent,
          String(attempt.token),
          attempt.owner,
          attempt.idempotencyKey,
          attempt.amountCents,
          Date.now(),
        ],
      )) as [string, unknown];
      if (kind === 'stale') return { kind: 'stale', newerToken: Number(value) };
      return { kind: 'charged', charge: (typeof value === 'string' ? JSON.parse(value) : value) as Charge };
    },
    async lookup(intent) {
      const list = await redis.lrange(intentKey(intent), 0, -1);
      return list.map((item) => (typeof item === 'string' ? JSON.parse(item) : item) as Charge);
    },
    count,
    countLater(counter) {
      const done = count(counter).catch((error) => console.error('[demo-server] ledger count failed', error));
      pending.add(done);
      void done.finally(() => pending.delete(done));
    },
    async stats(): Promise<LedgerStats> {
      await Promise.all(pending);
      const [hash, list] = await redis.hashAndList(keys[0]!, keys[2]!, RECENT_CHARGES);
      const stats = { ...EMPTY_STATS };
      for (const field of Object.keys(stats) as (keyof typeof EMPTY_STATS)[]) {
        stats[field] = Number(hash?.[field] ?? 0);
      }
      const recentCharges = list.map(
        (item) => (typeof item === 'string' ? JSON.parse(item) : item) as Charge,
      );
      return { ...stats, recentCharges };
    },
  };
}
