-- Move a follow-up that came due inside quiet hours to the window's end (hotline/store/
-- followups.py, FollowupStore.postpone): its due time and its place in the due index, where
-- the sweeper finds it then. Only an untried one: an attempt may already have gone out, and
-- the claim settles that. Redis 6.2 compatible.
--
-- KEYS: 1 conv follow-ups hash, 2 due index
-- ARGV: 1 follow-up id, 2 new due time (unix s), 3 new due time (ISO-8601), 4 now (ISO-8601)
-- Returns {'postponed'} | {'attempted'} | {'done'} | {'missing'}

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'missing'} end
local fu = cjson.decode(raw)
if fu['status'] ~= 'scheduled' then return {'done'} end
if type(fu['attempt']) == 'table' then return {'attempted'} end
fu['due_ts'] = tonumber(ARGV[2])
fu['due_at'] = ARGV[3]
fu['quiet_hours_at'] = ARGV[4]  -- when a late run found the window closed
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(fu))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return {'postponed'}
