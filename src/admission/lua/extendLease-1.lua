--[[
  Heartbeat: push a lease's expiry to now + TTL. A lease that lapsed (its heartbeats were
  lost, e.g. while Redis was away) is put back even above the cap: the call is live, and a
  live call is never hung up to enforce the cap, so the set must keep counting it.

  Input:
    KEYS[1] lease set: sorted set, member = call id, score = expiry (ms)

    ARGV[1] call id
    ARGV[2] lease TTL (ms)
    ARGV[3] time override (ms); '' in production, which uses Redis TIME

  Output: 1 if the lease was live, 0 if it had lapsed and was put back
]]
local key = KEYS[1]
local callId = ARGV[1]
local ttlMs = tonumber(ARGV[2])

-- @include "currentTimeMs"
-- @include "expireAfterLastMember"

local now = currentTimeMs(ARGV[3])

redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local live = redis.call('ZSCORE', key, callId)
redis.call('ZADD', key, now + ttlMs, callId)
expireAfterLastMember(key, now, 0)
if live then
  return 1
end
return 0
