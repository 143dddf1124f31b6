--[[
  Milliseconds since the epoch from the Redis server clock, so every worker agrees on "now".
  A non-empty override (tests only) replaces it to make window and TTL boundaries exact.
]]
local function currentTimeMs(override)
  if override ~= nil and override ~= '' then
    return tonumber(override)
  end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
