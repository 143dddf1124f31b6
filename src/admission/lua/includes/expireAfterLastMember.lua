--[[
  Let a sorted set expire once its highest-scored member is no longer needed
  (score + lifeMs has passed), so an idle deployment leaves no keys behind.
]]
local function expireAfterLastMember(key, now, lifeMs)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then
    local ttl = math.ceil(tonumber(last[2]) + lifeMs - now)
    if ttl > 0 then
      redis.call('PEXPIRE', key, ttl)
    end
  end
end
