--[[
  Release a call's lease. Idempotent: releasing twice, or after the lease expired, is a no-op.

  Input:
    KEYS[1] lease set: sorted set, member = call id, score = expiry (ms)

    ARGV[1] call id

  Output: 1 if a lease was removed, 0 if there was none
]]
return redis.call('ZREM', KEYS[1], ARGV[1])
