-- Twilio refused a follow-up for good (or every retry failed): record it as failed with the
-- error code, and when the code means the person has unsubscribed (21610) opt the number out
-- and cancel the conversation's other follow-ups, as a STOP would
-- (hotline/store/followups.py, FollowupStore.record_failure). Redis 6.2 compatible.
--
-- KEYS: 1 conv follow-ups hash, 2 due index, 3 conv hash, 4 conv log, 5 opt-out of phone
-- ARGV: 1 follow-up id, 2 attempt token, 3 error json, 4 now (unix s), 5 now (ISO-8601),
--       6 opt out ('1'), 7 log entry json, 8 retention
-- Returns {'ok'} | {'lost'}

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'lost'} end
local fu = cjson.decode(raw)
local attempt = fu['attempt']
if type(attempt) ~= 'table' or attempt['token'] ~= ARGV[2] then return {'lost'} end
local err = cjson.decode(ARGV[3])
fu['attempt'] = nil
fu['last_error'] = err
fu['error_code'] = err['code']
fu['failed_at'] = ARGV[5]
if fu['status'] == 'scheduled' then fu['status'] = 'failed' end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(fu))
redis.call('ZREM', KEYS[2], ARGV[1])

if ARGV[6] == '1' then
  redis.call('SET', KEYS[5], ARGV[4])
  redis.call('HSET', KEYS[3], 'status', 'opted_out', 'updated_at', ARGV[5])
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local other = cjson.decode(all[i + 1])
    if other['status'] == 'scheduled' then
      other['status'] = 'cancelled'
      other['reason'] = 'opted_out'
      redis.call('HSET', KEYS[1], all[i], cjson.encode(other))
      redis.call('ZREM', KEYS[2], all[i])
    end
  end
end

local entry = cjson.decode(ARGV[7])
local flat = {}
for name, value in pairs(entry) do
  flat[#flat + 1] = name
  flat[#flat + 1] = tostring(value)
end
redis.call('XADD', KEYS[4], '*', unpack(flat))
redis.call('EXPIRE', KEYS[4], ARGV[8])
return {'ok'}
