--[[
  Record a callback attempt's state on an existing message. Refuses to write to a message that no
  longer exists (erased or expired), so a late result never brings it back. `answered` deletes the
  encrypted callback number: it is kept only until the caller has been reached.

  Input:
    KEYS[1] message hash

    ARGV[1] state: dialing | answered | machine | no_answer | failed
    ARGV[2] now (ms)

  Output: 1 recorded, 0 no such message, -1 the caller did not consent to a callback.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'cbState')
if current == false or current == 'none' then return -1 end
redis.call('HSET', KEYS[1], 'cbState', ARGV[1], 'cbUpdatedAt', ARGV[2])
if ARGV[1] == 'dialing' then redis.call('HINCRBY', KEYS[1], 'cbAttempts', 1) end
if ARGV[1] == 'answered' then redis.call('HDEL', KEYS[1], 'cbNumber') end
return 1
