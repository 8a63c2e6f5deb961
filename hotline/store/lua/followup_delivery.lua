-- Twilio's delivery status callback for a follow-up (hotline/store/followups.py,
-- FollowupStore.record_delivery). Callbacks can arrive out of order, so a status only ever
-- moves forward; a callback naming a follow-up whose sid was never recorded (the worker died
-- mid-send) confirms that attempt went out. Redis 6.2 compatible.
--
-- KEYS: 1 conv follow-ups hash, 2 sid index of the message
-- ARGV: 1 follow-up id, 2 message sid, 3 status, 4 rank of status, 5 error code ('' = none),
--       6 now (ISO-8601), 7 retention
-- Returns {'ok'} | {'unknown'} | {'stale'}

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'unknown'} end
local fu = cjson.decode(raw)
if type(fu['sid']) == 'string' and fu['sid'] ~= ARGV[2] then return {'unknown'} end
if type(fu['sid']) ~= 'string' then
  local attempted = type(fu['attempt']) == 'table' or fu['confirmed'] == false
  if not attempted then
    return {'unknown'}  -- no send of ours is waiting for its sid
  end
  fu['sid'] = ARGV[2]
  fu['confirmed'] = true
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[7])
end
local rank = tonumber(ARGV[4])
if rank < (tonumber(fu['delivery_rank']) or -1) then
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(fu))
  return {'stale'}
end
fu['delivery'] = ARGV[3]
fu['delivery_rank'] = rank
fu['delivery_at'] = ARGV[6]
if ARGV[5] ~= '' then fu['error_code'] = tonumber(ARGV[5]) or ARGV[5] end
if (ARGV[3] == 'failed' or ARGV[3] == 'undelivered') and fu['status'] == 'sent' then
  fu['status'] = 'failed'
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(fu))
return {'ok'}
