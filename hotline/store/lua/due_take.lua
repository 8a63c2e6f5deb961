-- Take up to ARGV[3] ids due at ARGV[1] or earlier from a due index, and lease them: each
-- one's place moves to now + lease, so another dispatcher does not take it meanwhile and, if
-- this one dies before settling it, it is due again once the lease ends (hotline/store/due.py).
-- The claim script then decides what each one is. Redis 6.2 compatible.
--
-- KEYS: 1 due index
-- ARGV: 1 now (unix s), 2 lease (s), 3 most ids to take
-- Returns the ids taken, oldest due first

local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local until_ts = tonumber(ARGV[1]) + tonumber(ARGV[2])
local args = {}
for i, id in ipairs(ids) do
  args[#args + 1] = until_ts
  args[#args + 1] = id
  if #args >= 400 then
    redis.call('ZADD', KEYS[1], 'XX', unpack(args))
    args = {}
  end
end
if #args > 0 then
  redis.call('ZADD', KEYS[1], 'XX', unpack(args))
end
return ids
