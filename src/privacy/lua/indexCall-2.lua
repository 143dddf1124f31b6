--[[
  Point the indexes at a call that was just written, all or nothing: the recent-calls index and,
  for a caller with a number, that caller's index. Each index is scored by the call's expiry and
  loses its expired members on every write; each index key carries the retention as its TTL, so
  no index outlives the calls it lists.

  The two indexes are in different hash slots: this runs on the single Redis server of
  redis.url. (On Redis Cluster it would need both keys under one hash tag.)

  Input:
    KEYS[1] recent-calls index: sorted set, member = call id, score = expiry (ms)
    KEYS[2] the caller's index, same shape; ignored when ARGV[5] is '0'

    ARGV[1] call id
    ARGV[2] now (ms since epoch)
    ARGV[3] expiry of the call (ms since epoch)
    ARGV[4] retention (s)
    ARGV[5] '1' when the call has a caller (KEYS[2] is theirs), '0' when withheld

  Output: the number of indexes written (1 or 2).
]]
local written = 0
local function index(key)
  redis.call('ZADD', key, ARGV[3], ARGV[1])
  redis.call('EXPIRE', key, ARGV[4])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[2])
  written = written + 1
end

index(KEYS[1])
if ARGV[5] == '1' then index(KEYS[2]) end
return written
