import { CLAIM_FUNCTION } from './idempotency.js';
import { LIMIT_FUNCTIONS } from './limit-functions.js';

/** Arguments per limit in `CHECK_SCRIPT`: algorithm, a, b, c, cost. */
export const LIMIT_ARGS = 5;

/**
 * Every rate limit of a call and its idempotency claim, atomically: check all limits, and only
 * when every one allows, take from each and claim. A refused call costs nothing in any scope.
 *
 * KEYS     the n limit keys, then the claim's record if there is a claim
 * ARGV[1]  n; then five arguments per limit (see `peek_limit`): algorithm, a, b, c, cost;
 *          then the claim's six (see `claim`): fingerprint, claim id, lease, ttl, deadline, grace
 * returns  {now, {allowed, remaining, reset, limit, retryAt (0 when allowed)} × n, claim reply}
 *          The claim reply is `claim`'s, or {6, now} when a limit refused (the claim was skipped).
 *          A claim past its deadline takes nothing from the limits either: its caller has answered.
 *          On a refusal, `remaining` of the scopes that allowed is what they still have.
 */
export const CHECK_SCRIPT = `${LIMIT_FUNCTIONS}${CLAIM_FUNCTION}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local n = tonumber(ARGV[1])
local claimAt = 2 + n * ${LIMIT_ARGS}
local hasClaim = #KEYS > n
local verdicts, allowed = {}, true
for i = 1, n do
  local at = 1 + (i - 1) * ${LIMIT_ARGS}
  local verdict = peek_limit(KEYS[i], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]),
    tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5]), now)
  verdicts[i] = verdict
  if verdict[1] == 0 then allowed = false end
end
local late = hasClaim and tonumber(ARGV[claimAt + 4]) > 0 and now > tonumber(ARGV[claimAt + 4])
local take = allowed and not late
local limits = {}
for i = 1, n do
  local at = 1 + (i - 1) * ${LIMIT_ARGS}
  local verdict = verdicts[i]
  local remaining = verdict[2]
  if take then
    commit_limit(KEYS[i], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]),
      tonumber(ARGV[at + 4]), verdict, now)
  elseif verdict[1] == 1 then
    remaining = remaining + tonumber(ARGV[at + 5])
  end
  limits[#limits + 1] = verdict[1]
  limits[#limits + 1] = remaining
  limits[#limits + 1] = verdict[3]
  limits[#limits + 1] = verdict[4]
  limits[#limits + 1] = verdict[1] == 0 and verdict[5] or 0
end
if not hasClaim then return {now, limits} end
if not allowed then return {now, limits, {6, now}} end
return {now, limits, claim(KEYS[n + 1], ARGV[claimAt], ARGV[claimAt + 1], ARGV[claimAt + 2],
  ARGV[claimAt + 3], ARGV[claimAt + 4], ARGV[claimAt + 5], time, now)}
`;

/**
 * Gives back what a check took, for a call that a limit in another cluster slot refused.
 *
 * KEYS     the n limit keys
 * ARGV     five arguments per limit, as for `CHECK_SCRIPT`
 * returns  the Redis time, ms
 */
export const REFUND_SCRIPT = `${LIMIT_FUNCTIONS}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 1, #KEYS do
  local at = (i - 1) * ${LIMIT_ARGS}
  refund_limit(KEYS[i], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]),
    tonumber(ARGV[at + 5]), now)
end
return now
`;
