import { LIMIT_FUNCTIONS } from './limit-functions.js';

const NOW = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * Reads a record as it is, for operators.
 * KEYS[1]  the record
 * returns  {now, pttl, s, f, t, v, l, o, d}: see the fields in `idempotency.ts`; pttl < 0 when absent
 */
export const INSPECT_SCRIPT = `${NOW}
local record = redis.call('HMGET', KEYS[1], 's', 'f', 't', 'v', 'l', 'o', 'd')
return {now, redis.call('PTTL', KEYS[1]), record[1], record[2], record[3], record[4], record[5], record[6], record[7]}
`;

/**
 * KEYS[1]  the record
 * ARGV[1]  '1' to evict a record whose owner holds a live lease
 * returns  1 evicted | 0 absent | 2 kept: in progress under a live lease
 */
export const EVICT_SCRIPT = `${NOW}
local record = redis.call('HMGET', KEYS[1], 's', 'l')
if not record[1] then return 0 end
if record[1] == 'p' and tonumber(record[2]) > now and ARGV[1] ~= '1' then return 2 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * What a call would get, taking nothing.
 * KEYS[1]  the limit's key
 * ARGV     algorithm, a, b, c, cost (see `peek_limit`)
 * returns  {allowed, remaining, reset, limit, now}
 */
export const PEEK_LIMIT_SCRIPT = `${LIMIT_FUNCTIONS}
${NOW}
local verdict = peek_limit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4]), tonumber(ARGV[5]), now)
return {verdict[1], verdict[2], verdict[3], verdict[4], now}
`;

/**
 * KEYS     the identifier's keys under every algorithm (one hash tag: one slot)
 * returns  how many existed
 */
export const RESET_LIMIT_SCRIPT = `
return redis.call('DEL', unpack(KEYS))
`;
