--[[
  Record a call's outcome, end and duration, and renew the retention of both keys. Refuses to
  write to a call that no longer exists (erased or expired).

  Input:
    KEYS[1] call meta hash
    KEYS[2] call turns list

    ARGV[1] retention (s)
    ARGV[2] outcome
    ARGV[3] end (ms since epoch)
    ARGV[4] transfer target ('' when none)
    ARGV[5] why the call failed ('' when it did not)

  Output: { pseudonym, startedAt }, or nil when the call does not exist (erased or expired).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local started = tonumber(redis.call('HGET', KEYS[1], 'startedAt'))
local ended = tonumber(ARGV[3])
local duration = 0
if started and ended > started then duration = ended - started end
redis.call('HSET', KEYS[1], 'outcome', ARGV[2], 'endedAt', ARGV[3], 'durationMs', duration)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'transferTarget', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'failure', ARGV[5]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return redis.call('HMGET', KEYS[1], 'pseudonym', 'startedAt')
