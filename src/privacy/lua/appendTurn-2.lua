--[[
  Append one turn to an existing call and renew the retention of both keys. Refuses to write to
  a call that no longer exists, so a late turn never brings back an erased or expired transcript.

  Input:
    KEYS[1] call meta hash
    KEYS[2] call turns list

    ARGV[1] retention (s)
    ARGV[2] the turn as JSON

  Output: { pseudonym, startedAt }, or nil when the call does not exist (erased or expired).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return redis.call('HMGET', KEYS[1], 'pseudonym', 'startedAt')
