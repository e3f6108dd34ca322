/**
 * Idempotency records in Redis: one hash per record, touched by one script per operation, so
 * every operation is atomic and names its only key in KEYS (cluster-safe).
 *
 * Record fields: s = state ('p' pending | 'd' done), f = fingerprint, c = claim id of the owner
 * (kept once done, so the owner's retried complete is recognised), l = lease expiry (ms, Redis
 * clock; read only while pending, so a done record keeps its last one), t = fencing token, v = 1 when the owner took over a lapsed lease, x = when a claim
 * first found the lease lapsed (Redis clock), o = outcome, d = when it was stored (Redis clock).
 * Times come from Redis `TIME`, so instances with skewed clocks agree on leases; every reply
 * ends with that time, so callers can translate deadlines to it.
 * Large numbers are written with %.0f: Lua's default formatting would round them.
 */

/**
 * claim(key, fingerprint, claimId, lease, ttl, deadline, grace, time, now) — arguments as the
 * script got them (strings), `time` Redis's TIME and `now` it in ms:
 *   fingerprint  of the canonical input
 *   claimId      random id of this attempt
 *   lease        ms; ttl: ms an unfinished record is kept
 *   deadline     ms, Redis clock: after it this claim changes nothing; 0 = none
 *   grace        ms a lapsed lease must stay unrenewed before it is taken over
 * returns  {1, token, takeover, now} acquired (also for this claim id's own retry)
 *        | {2, retryAt, now} in progress | {3, outcome, pttl, now} done | {4, now} mismatch
 *        | {5, now} expired: the caller had given up, nothing changed
 *
 * A lapsed lease is not taken over by the first claim that sees it: after a store stall the
 * owner's queued extensions and the duplicates' claims run in any order, so that claim only
 * marks the lapse (x); a claim at least `grace` later takes over if no extension came. A claim
 * that arrives after its deadline (the store was stalled) marks it again.
 */
export const CLAIM_FUNCTION = `
local function claim(key, fingerprint, claimId, lease, ttl, deadlineArg, graceArg, time, now)
  local record = redis.call('HMGET', key, 's', 'f', 'l', 't', 'o', 'c', 'v', 'x')
  local deadline = tonumber(deadlineArg)
  local late = deadline > 0 and now > deadline
  if record[1] then
    if record[2] ~= fingerprint then return {4, now} end
    if record[1] == 'd' then return {3, record[5], redis.call('PTTL', key), now} end
    if record[6] == claimId then return {1, tonumber(record[4]), tonumber(record[7]) or 0, now} end
    local leaseUntil = tonumber(record[3])
    if leaseUntil > now then return {2, leaseUntil, now} end
    local grace = tonumber(graceArg)
    local lapsedSince = tonumber(record[8])
    if not lapsedSince or lapsedSince < leaseUntil or late then
      -- A late claim proves the store was stalled: the owner's queued extensions may still be
      -- draining, so the grace starts again. It can only postpone a takeover, never cause one.
      redis.call('HSET', key, 'x', string.format('%.0f', now))
      if late then return {5, now} end
      return {2, now + grace, now}
    end
    if now - lapsedSince < grace then return {2, lapsedSince + grace, now} end
  end
  if late then return {5, now} end
  local clockToken = tonumber(time[1]) * 1000000 + tonumber(time[2])
  local leaseUntil = string.format('%.0f', now + tonumber(lease))
  if not record[1] then
    redis.call('HSET', key, 's', 'p', 'f', fingerprint, 'c', claimId, 'l', leaseUntil,
      't', string.format('%.0f', clockToken), 'v', 0)
    redis.call('PEXPIRE', key, ttl)
    return {1, clockToken, 0, now}
  end
  local token = math.max(tonumber(record[4]) + 1, clockToken)
  redis.call('HSET', key, 'c', claimId, 'l', leaseUntil, 't', string.format('%.0f', token), 'v', 1)
  redis.call('HDEL', key, 'x')
  redis.call('PEXPIRE', key, ttl)
  return {1, token, 1, now}
end
`;

/**
 * KEYS[1]  the record
 * ARGV[1]  claim id that must own the record
 * ARGV[2]  the outcome, encoded
 * ARGV[3]  how long to keep it, ms
 * returns  1 stored (now, or already by this claim) | 0 fenced (another claim owns it, or it is gone)
 */
export const COMPLETE_SCRIPT = `
local record = redis.call('HMGET', KEYS[1], 's', 'c')
if record[2] ~= ARGV[1] then return 0 end
if record[1] == 'd' then return 1 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HSET', KEYS[1], 's', 'd', 'o', ARGV[2], 'd', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * KEYS[1]  the record
 * ARGV[1]  claim id that must own the record
 * ARGV[2]  new lease from now, ms
 * ARGV[3]  deadline (ms, Redis clock): after it this extension changes nothing; 0 = none
 * returns  {1, now} extended (or already completed by this claim) | {0, now} fenced | {2, now} expired
 * A record this claim completed is still its own: its complete landed but the answer did not
 * (a timeout, or too few replicas acknowledged it), and the owner retries it until it is sure.
 */
export const EXTEND_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local record = redis.call('HMGET', KEYS[1], 's', 'c')
if record[2] ~= ARGV[1] then return {0, now} end
if record[1] == 'd' then return {1, now} end
local deadline = tonumber(ARGV[3])
if deadline > 0 and now > deadline then return {2, now} end
redis.call('HSET', KEYS[1], 'l', string.format('%.0f', now + tonumber(ARGV[2])))
return {1, now}
`;

/**
 * KEYS[1]  the record
 * ARGV[1]  claim id that must own the record
 * returns  1 released | 0 fenced
 */
export const RELEASE_SCRIPT = `
local record = redis.call('HMGET', KEYS[1], 's', 'c')
if record[1] ~= 'p' or record[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;
