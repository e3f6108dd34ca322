/**
 * The three rate-limit algorithms as Lua functions, shared by every Redis-protocol store (the
 * Upstash store over HTTP, the Redis store over TCP). The memory store implements the same
 * arithmetic in TypeScript (`stores/memory/rate-limiters.ts`); a property test runs both on the
 * same inputs and requires the same answers.
 *
 * One hash per identifier and algorithm, so a limit touches one key (cluster-safe). Time is
 * Redis's own, passed in as `now` (ms), so instances with skewed clocks agree on windows.
 *
 * peek_limit(key, algo, a, b, c, cost, now) reads and decides, writing nothing:
 *   algo 1 fixed window:    a = limit, b = window ms        state: w (window number), c (count), b
 *   algo 2 sliding window:  a = limit, b = window ms        state: w, c, p (previous window's count), b
 *   algo 3 token bucket:    a = max tokens, b = interval ms, c = refill rate   state: r (refilled at), t (tokens)
 *   returns {allowed 0|1, remaining, reset (ms), limit, ...what commit_limit writes}
 *   A call that does not fit is refused whole: `remaining` is what is left, and nothing is taken;
 *   its 5th value is the earliest time a call of the same cost could pass if nobody else calls
 *   (a lower bound: the guard may refuse locally until then).
 *   State written under another window length counts as empty, and a bucket shrunk since is
 *   capped at its new size: a limiter chosen per call may change between calls.
 * commit_limit(key, algo, a, b, c, verdict, now) takes what `peek_limit` allowed. A window's key
 *   gets its expiry once, at the window's first write (`PEXPIRE` is a third of a limit's cost).
 * refund_limit(key, algo, a, b, cost, now) gives `cost` back (a Redis Cluster consumes in one slot
 * before another slot refuses).
 */
export const LIMIT_FUNCTIONS = `
local function retry_at(algo, a, b, cost, now, reset, current, previous)
  if algo == 1 then return reset end
  -- The previous window's weight falls as the window goes on; solve for when it is low enough,
  -- a millisecond early rather than late: this only ever answers "not before".
  if current + cost > a then
    if current == 0 then return reset end
    return reset + math.max(0, math.floor(b * (1 - (a - cost + 1) / current)) - 1)
  end
  local at = reset - b + math.max(0, math.floor(b * (1 - (a - cost - current + 1) / previous)) - 1)
  return math.max(now + 1, at)
end

local function peek_limit(key, algo, a, b, c, cost, now)
  if algo == 3 then
    local bucket = redis.call('HMGET', key, 'r', 't')
    local refilledAt, tokens = tonumber(bucket[1]), tonumber(bucket[2])
    if not refilledAt or not tokens then
      refilledAt, tokens = now, a
    elseif now >= refilledAt + b then
      local refills = math.floor((now - refilledAt) / b)
      tokens = tokens + refills * c
      refilledAt = refilledAt + refills * b
    end
    tokens = math.min(a, tokens)
    local reset = refilledAt + b
    if tokens < cost then return {0, tokens, reset, a, refilledAt + math.ceil((cost - tokens) / c) * b} end
    return {1, tokens - cost, reset, a, refilledAt}
  end
  local window = math.floor(now / b)
  local reset = (window + 1) * b
  local state = redis.call('HMGET', key, 'w', 'c', 'p', 'b')
  local current, previous, expiring = 0, 0, 0
  if tonumber(state[4]) == b then
    local w = tonumber(state[1])
    if w == window then
      current, previous = tonumber(state[2]) or 0, tonumber(state[3]) or 0
      -- Written in this window already: the key expires when this window's state is of no use.
      expiring = 1
    elseif w == window - 1 then
      previous = tonumber(state[2]) or 0
    end
  end
  local used = current
  if algo == 2 then used = current + math.floor((1 - (now % b) / b) * previous) end
  if used + cost > a then return {0, math.max(0, a - used), reset, a, retry_at(algo, a, b, cost, now, reset, current, previous)} end
  return {1, a - used - cost, reset, a, window, current + cost, previous, expiring}
end

local function commit_limit(key, algo, a, b, c, verdict, now)
  if algo == 3 then
    local remaining = verdict[2]
    redis.call('HSET', key, 'r', string.format('%.0f', verdict[5]), 't', remaining)
    -- A bucket that would be full again is the same as no bucket.
    redis.call('PEXPIRE', key, math.max(1, math.ceil((a - remaining) / c) * b))
    return
  end
  redis.call('HSET', key, 'w', string.format('%.0f', verdict[5]), 'c', verdict[6], 'p', verdict[7], 'b', b)
  -- The expiry is a point in time fixed by the window (its end, or the next one's for a sliding
  -- window): set by the window's first write, the same for every later one.
  if verdict[8] == 1 then return end
  local ttl = verdict[3] - now
  if algo == 2 then ttl = ttl + b end
  redis.call('PEXPIRE', key, ttl)
end

local function refund_limit(key, algo, a, b, cost, now)
  if algo == 3 then
    local tokens = tonumber(redis.call('HGET', key, 't'))
    if tokens then redis.call('HSET', key, 't', math.min(a, tokens + cost)) end
    return
  end
  local state = redis.call('HMGET', key, 'w', 'c', 'b')
  if tonumber(state[3]) == b and tonumber(state[1]) == math.floor(now / b) then
    redis.call('HSET', key, 'c', math.max(0, (tonumber(state[2]) or 0) - cost))
  end
end
`;

/** The algorithm codes of `peek_limit`. */
export const ALGORITHM_CODES = { 'fixed-window': 1, 'sliding-window': 2, 'token-bucket': 3 } as const;
