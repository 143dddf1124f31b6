--[[
  Sliding-log rate limit: admit and record one call for a bucket if it is under the limit.
  A call id already in the log is admitted again without a second entry (a retried INVITE
  counts once). Refused calls are not recorded.

  Input:
    KEYS[1] log key: sorted set, member = call id, score = admission time (ms)

    ARGV[1] call id
    ARGV[2] max calls in the window
    ARGV[3] window length (ms)
    ARGV[4] time override (ms); '' in production, which uses Redis TIME

  Output: { allowed (1|0), added (1|0), calls in the window, retryAfterMs }
]]
local key = KEYS[1]
local callId = ARGV[1]
local maxCalls = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])

-- @include "currentTimeMs"
-- @include "expireAfterLastMember"

local now = currentTimeMs(ARGV[4])

-- An entry counts while now - score < window.
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - windowMs)

if redis.call('ZSCORE', key, callId) then
  return { 1, 0, redis.call('ZCARD', key), 0 }
end

local count = redis.call('ZCARD', key)
if count < maxCalls then
  redis.call('ZADD', key, now, callId)
  expireAfterLastMember(key, now, windowMs)
  return { 1, 1, count + 1, 0 }
end

-- One more call fits once the entry at rank (count - maxCalls) leaves the window.
local blocking = redis.call('ZRANGE', key, count - maxCalls, count - maxCalls, 'WITHSCORES')
return { 0, 0, count, tonumber(blocking[2]) + windowMs - now }
