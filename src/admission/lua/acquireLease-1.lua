--[[
  Acquire a concurrency lease for a call if fewer than `cap` live leases exist.
  Leases are scored by their expiry; expired ones (a dead worker's) are pruned first.
  Acquiring a call id that already holds a lease renews it (a retried INVITE).

  Input:
    KEYS[1] lease set: sorted set, member = call id, score = expiry (ms)

    ARGV[1] call id
    ARGV[2] lease TTL (ms)
    ARGV[3] cap on live leases
    ARGV[4] time override (ms); '' in production, which uses Redis TIME

  Output: { acquired (1|0), live leases after the decision, retryAfterMs }
    retryAfterMs on refusal is a lower bound: the earliest a lease would lapse if its
    holder stopped heartbeating.
]]
local key = KEYS[1]
local callId = ARGV[1]
local ttlMs = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])

-- @include "currentTimeMs"
-- @include "expireAfterLastMember"

local now = currentTimeMs(ARGV[4])

redis.call('ZREMRANGEBYSCORE', key, '-inf', now)

local count = redis.call('ZCARD', key)
local held = redis.call('ZSCORE', key, callId)
if not held and count >= cap then
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return { 0, count, tonumber(first[2]) - now }
end

redis.call('ZADD', key, now + ttlMs, callId)
expireAfterLastMember(key, now, 0)
if held then
  return { 1, count, 0 }
end
return { 1, count + 1, 0 }
