-- Cancel a safety-net task that is no longer wanted before it was tried (a nudge whose texter
-- replied meanwhile): only while it is scheduled and no attempt is under way
-- (hotline/store/safety_net.py, SafetyNetStore.cancel). Redis 6.2 compatible.
--
-- KEYS: 1 conv's safety-net tasks hash, 2 task due index
-- ARGV: 1 task id, 2 reason
-- Returns 'ok' | 'busy' (an attempt is under way or it is settled) | 'missing'

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'missing'
end
local task = cjson.decode(raw)
if task['status'] ~= 'scheduled' or type(task['attempt']) == 'table' then return 'busy' end
task['status'] = 'cancelled'
task['reason'] = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(task))
redis.call('ZREM', KEYS[2], ARGV[1])
return 'ok'
