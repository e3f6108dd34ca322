/**
 * Idempotency records in Redis: one hash per record, touched by one script per operation, so
 * every operation is atomic and names its only key in KEYS (cluster-safe).
 *
 * Record fields: s = state ('p' pending | 'd' done), f = fingerprint, c = claim id,
 * l = lease expiry (ms, Redis clock), t = fencing token, o = outcome ('r' + superjson | 'e' + JSON).
 * Times come from Redis `TIME`, so instances with skewed clocks agree on leases.
 * Large numbers are written with %.0f: Lua's default formatting would round them.
 */

/**
 * KEYS[1]  the record
 * ARGV[1]  fingerprint of the canonical input
 * ARGV[2]  claim id of this attempt
 * ARGV[3]  lease, ms
 * ARGV[4]  ttl of an unfinished record, ms
 * returns  {1, token, takeover} acquired | {2, leaseUntil} in progress | {3, outcome} done | {4} mismatch
 */
export const CLAIM_SCRIPT = `#!lua flags=allow-key-locking
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local clockToken = tonumber(time[1]) * 1000000 + tonumber(time[2])
local record = redis.call('HMGET', KEYS[1], 's', 'f', 'l', 't', 'o')
local leaseUntil = now + tonumber(ARGV[3])
if not record[1] then
  redis.call('HSET', KEYS[1], 's', 'p', 'f', ARGV[1], 'c', ARGV[2],
    'l', string.format('%.0f', leaseUntil), 't', string.format('%.0f', clockToken))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {1, clockToken, 0}
end
if record[2] ~= ARGV[1] then return {4} end
if record[1] == 'd' then return {3, record[5]} end
if tonumber(record[3]) > now then return {2, tonumber(record[3])} end
local token = math.max(tonumber(record[4]) + 1, clockToken)
redis.call('HSET', KEYS[1], 'c', ARGV[2], 'l', string.format('%.0f', leaseUntil), 't', string.format('%.0f', token))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, token, 1}
`;

/**
 * KEYS[1]  the record
 * ARGV[1]  claim id that must own the record
 * ARGV[2]  the outcome, encoded
 * ARGV[3]  how long to keep it, ms
 * returns  1 stored | 0 fenced (another claim owns the record, or it is gone)
 */
export const COMPLETE_SCRIPT = `#!lua flags=allow-key-locking
local record = redis.call('HMGET', KEYS[1], 's', 'c')
if record[1] ~= 'p' or record[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 's', 'd', 'o', ARGV[2])
redis.call('HDEL', KEYS[1], 'c', 'l')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * KEYS[1]  the record
 * ARGV[1]  claim id that must own the record
 * ARGV[2]  new lease from now, ms
 * returns  1 extended | 0 fenced
 */
export const EXTEND_SCRIPT = `#!lua flags=allow-key-locking
local record = redis.call('HMGET', KEYS[1], 's', 'c')
if record[1] ~= 'p' or record[2] ~= ARGV[1] then return 0 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HSET', KEYS[1], 'l', string.format('%.0f', now + tonumber(ARGV[2])))
return 1
`;

/**
 * KEYS[1]  the record
 * ARGV[1]  claim id that must own the record
 * returns  1 released | 0 fenced
 */
export const RELEASE_SCRIPT = `#!lua flags=allow-key-locking
local record = redis.call('HMGET', KEYS[1], 's', 'c')
if record[1] ~= 'p' or record[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;
