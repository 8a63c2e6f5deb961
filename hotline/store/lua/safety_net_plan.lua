-- Plan safety-net tasks (nudge, no-reply text, on-call alerts) of one conversation, each at
-- most once: a task id names what it is for (hotline/store/safety_net.py), so planning the
-- same task again, from a retried webhook or a second sweeper, changes nothing. Optionally
-- moves the conversation's place in the silence index in the same step. Redis 6.2 compatible.
--
-- KEYS: 1 conv's safety-net tasks hash, 2 task due index, 3 silence index
-- ARGV: 1 retention (s), 2 silence member ('' = leave the index alone), 3 its next check
--       (unix s; '' = remove it from the index), then one task json each (with id, due_ts)
-- Returns the ids of the tasks this call created.

local created = {}
for i = 4, #ARGV do
  local task = cjson.decode(ARGV[i])
  if redis.call('HSETNX', KEYS[1], task['id'], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[2], task['due_ts'], task['id'])
    created[#created + 1] = task['id']
  end
end
if #ARGV >= 4 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if ARGV[2] ~= '' then
  if ARGV[3] == '' then
    redis.call('ZREM', KEYS[3], ARGV[2])
  else
    redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
  end
end
return created
