--[[
  Record a webhook delivery attempt on an existing message. Refuses to write to a message that no
  longer exists (erased or expired), so a late attempt never brings it back.

  Input:
    KEYS[1] message hash

    ARGV[1] '1' delivered, '0' failed
    ARGV[2] now (ms)

  Output: 1 recorded, 0 no such message.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'whAttempts', 1)
if ARGV[1] == '1' then redis.call('HSETNX', KEYS[1], 'whDeliveredAt', ARGV[2]) end
return 1
