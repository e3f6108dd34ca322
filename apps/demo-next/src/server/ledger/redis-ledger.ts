import type { Redis } from '@upstash/redis';
import {
  type Charge,
  type ChargeOutcome,
  COUNTERS,
  type Counter,
  type Ledger,
  type LedgerStats,
  RECENT_CHARGES,
} from './ledger';

/**
 * KEYS[1] counters hash, KEYS[2] tokens hash (intent → newest token), KEYS[3] recent charges,
 * KEYS[4] this intent's last charge. ARGV: intent, token, owner, key, amount, now.
 * Returns {'charged', charge JSON} | {'stale', newer token}; the same token again is the same charge.
 */
const CHARGE_SCRIPT = `
local intent, token = ARGV[1], tonumber(ARGV[2])
local seen = redis.call('HGET', KEYS[2], intent)
if seen and token < tonumber(seen) then return {'stale', seen} end
if seen and token == tonumber(seen) then return {'charged', redis.call('GET', KEYS[4])} end
redis.call('HSET', KEYS[2], intent, ARGV[2])
local sequence = redis.call('HINCRBY', KEYS[1], 'charges', 1)
redis.call('HINCRBY', KEYS[1], 'chargedCents', tonumber(ARGV[5]))
local charge = cjson.encode({ chargeId = string.format('ch_%05d', sequence), owner = ARGV[3],
  idempotencyKey = ARGV[4], amountCents = tonumber(ARGV[5]), at = tonumber(ARGV[6]) })
redis.call('LPUSH', KEYS[3], charge)
redis.call('LTRIM', KEYS[3], 0, ${RECENT_CHARGES - 1})
redis.call('SET', KEYS[4], charge, 'PX', 86400000)
return {'charged', charge}
`;

/**
 * Keeps the ledger in Redis over HTTP (`@upstash/redis`), under `{prefix:ledger}:*` (one hash
 * slot): the Node server (Server Actions) and the edge route handler share it. A charge and its
 * fencing-token check are one script, atomic across instances.
 */
export function redisLedger(redis: Redis, prefix: string): Ledger {
  const tag = `{${prefix}:ledger}`;
  const counters = `${tag}:counters`;
  const recent = `${tag}:recent`;
  return {
    async charge(attempt): Promise<ChargeOutcome> {
      const intent = `${attempt.owner}:${attempt.idempotencyKey}`;
      const [kind, value] = await redis.eval<(string | number)[], [string, unknown]>(
        CHARGE_SCRIPT,
        [counters, `${tag}:tokens`, recent, `${tag}:intent:${intent}`],
        [intent, attempt.token, attempt.owner, attempt.idempotencyKey, attempt.amountCents, Date.now()],
      );
      if (kind === 'stale') return { kind: 'stale', newerToken: Number(value) };
      return { kind: 'charged', charge: parseCharge(value) };
    },
    async count(counter: Counter) {
      await redis.hincrby(counters, counter, 1);
    },
    async stats(): Promise<LedgerStats> {
      const [hash, list] = await redis
        .pipeline()
        .hgetall(counters)
        .lrange(recent, 0, RECENT_CHARGES - 1)
        .exec<[Record<string, unknown> | null, unknown[]]>();
      const count = (field: string) => Number(hash?.[field] ?? 0);
      return {
        charges: count('charges'),
        chargedCents: count('chargedCents'),
        ...(Object.fromEntries(COUNTERS.map((counter) => [counter, count(counter)])) as Record<
          Counter,
          number
        >),
        recentCharges: list.map(parseCharge),
      };
    },
  };
}

// @upstash/redis parses JSON replies itself unless asked not to: accept both forms.
function parseCharge(value: unknown): Charge {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Charge;
}
