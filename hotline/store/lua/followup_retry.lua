-- Twilio answered 429 or 5xx: nothing went out. Clear the attempt so the next run sends, and
-- move the follow-up's place in the due index to the retry time, so the sweeper respects the
-- backoff (hotline/store/followups.py, FollowupStore.record_retry). Redis 6.2 compatible.
--
-- KEYS: 1 conv follow-ups hash, 2 due index
-- ARGV: 1 follow-up id, 2 attempt token, 3 next try (unix s), 4 error json
-- Returns {'ok'} | {'lost'}

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'lost'} end
local fu = cjson.decode(raw)
local attempt = fu['attempt']
if type(attempt) ~= 'table' or attempt['token'] ~= ARGV[2] then return {'lost'} end
fu['attempt'] = nil
fu['last_error'] = cjson.decode(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(fu))
if fu['status'] == 'scheduled' then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
return {'ok'}
