-- Close a conversation nobody answered (hotline/store/safety_net.py, SafetyNetStore.close):
-- only if its state is still the one the sweeper judged silent (version compare-and-set), the
-- state is deleted (a later text starts a new conversation), the record says no_reply and the
-- question it stopped at, the log says so, and the safety-net text is planned, all at once:
-- either the conversation is closed with its text to come, or nothing changed. Redis 6.2.
--
-- KEYS: 1 state, 2 conv hash, 3 conv log, 4 conv's safety-net tasks, 5 task due index,
--       6 silence index
-- ARGV: 1 expected state version, 2 silence member, 3 stopped at (question key),
--       4 red-flag questions left unanswered (count), 5 now (ISO-8601), 6 log event json,
--       7 task json ('' = no text to send), 8 retention (s)
-- Returns 'ok' | 'conflict'

local current = redis.call('GET', KEYS[1])
if not current then return 'conflict' end
local version = tonumber(string.match(current, '^(%d+)|')) or 0
if version ~= tonumber(ARGV[1]) then return 'conflict' end

redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], 'status', 'no_reply', 'stopped_at', ARGV[3], 'flags_open', ARGV[4],
           'closed_at', ARGV[5])
-- The log's compact entry (records.compact_entry): m 'event|sms||<time>', no refs, the text.
redis.call('XADD', KEYS[3], '*', 'e', 'event|sms||' .. ARGV[5] .. '\t\t' .. ARGV[6])
redis.call('EXPIRE', KEYS[3], ARGV[8])
if ARGV[7] ~= '' then
  local task = cjson.decode(ARGV[7])
  if redis.call('HSETNX', KEYS[4], task['id'], ARGV[7]) == 1 then
    redis.call('ZADD', KEYS[5], task['due_ts'], task['id'])
  end
  redis.call('EXPIRE', KEYS[4], ARGV[8])
end
redis.call('ZREM', KEYS[6], ARGV[2])
return 'ok'
