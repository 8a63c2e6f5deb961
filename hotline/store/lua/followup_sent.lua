-- Record a follow-up as sent: the "after" half of the idempotency record, together with the
-- conversation entering its check-in phase and the text in the log (hotline/store/followups.py,
-- FollowupStore.record_sent). All or nothing: on a state version conflict nothing is written
-- and the caller recomputes the check-in state on the fresh one. Redis 6.2 compatible.
--
-- KEYS: 1 conv follow-ups hash, 2 due index, 3 state of phone, 4 conv log, 5 sid index of
--       the message (an unused key name ending in '-' when the sid is unknown)
-- ARGV: 1 follow-up id, 2 attempt token, 3 message sid ('' = unknown), 4 Twilio status,
--       5 now (ISO-8601), 6 expected state version ('-1' = leave the state alone),
--       7 state json, 8 session ttl, 9 log entry json, 10 retention, 11 rank of the status
-- Returns {'ok'} | {'conflict'} | {'lost'} | {'missing'}

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'missing'} end
local fu = cjson.decode(raw)
local attempt = fu['attempt']
if type(attempt) ~= 'table' or attempt['token'] ~= ARGV[2] then
  return {'lost'}  -- another run already recorded this follow-up
end

local entering = fu['status'] == 'scheduled'
if entering and ARGV[6] ~= '-1' then
  local current = redis.call('GET', KEYS[3])
  local version = 0
  if current then version = tonumber(string.match(current, '^(%d+)|')) or 0 end
  if version ~= tonumber(ARGV[6]) then return {'conflict'} end
  redis.call('SET', KEYS[3], (version + 1) .. '|' .. ARGV[7], 'EX', ARGV[8])
end

if entering then
  local delivery = fu['delivery']
  if delivery == 'failed' or delivery == 'undelivered' then
    fu['status'] = 'failed'  -- Twilio's callback beat us here
  else
    fu['status'] = 'sent'
  end
end
fu['sent_at'] = ARGV[5]
fu['attempt'] = nil
if ARGV[3] ~= '' then
  fu['sid'] = ARGV[3]
  fu['confirmed'] = true
  redis.call('SET', KEYS[5], ARGV[1], 'EX', ARGV[10])
elseif type(fu['sid']) ~= 'string' then
  fu['confirmed'] = false
end
if ARGV[4] ~= '' and fu['delivery'] == nil then
  fu['delivery'] = ARGV[4]
  fu['delivery_rank'] = tonumber(ARGV[11])
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(fu))
redis.call('ZREM', KEYS[2], ARGV[1])

local entry = cjson.decode(ARGV[9])
local flat = {}
for name, value in pairs(entry) do
  flat[#flat + 1] = name
  flat[#flat + 1] = tostring(value)
end
redis.call('XADD', KEYS[4], '*', unpack(flat))
redis.call('EXPIRE', KEYS[4], ARGV[10])
return {'ok'}
