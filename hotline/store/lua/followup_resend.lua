-- A staff member asks for an unconfirmed follow-up to be sent again (hotline/store/
-- followups.py, FollowupStore.resend): only one settled as sent without Twilio ever
-- confirming it. It is due again now; the send job claims it as any other, so opt-outs and
-- cancellations still apply, and a late confirmation from Twilio still stops it.
-- Redis 6.2 compatible.
--
-- KEYS: 1 conv follow-ups hash, 2 due index
-- ARGV: 1 follow-up id, 2 now (unix s), 3 now (ISO-8601), 4 who asked
-- Returns 'ok' | 'not_unconfirmed' | 'missing'

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 'missing' end
local fu = cjson.decode(raw)
if fu['status'] ~= 'sent' or fu['confirmed'] ~= false or type(fu['sid']) == 'string' then
  return 'not_unconfirmed'
end
local resends = fu['resends']
if type(resends) ~= 'table' then resends = {} end
resends[#resends + 1] = {by = ARGV[4], at = ARGV[3], unconfirmed_sent_at = fu['sent_at']}
fu['resends'] = resends
fu['status'] = 'scheduled'
fu['confirmed'] = nil
fu['attempt'] = nil
fu['sent_at'] = nil
fu['due_ts'] = tonumber(ARGV[2])
fu['due_at'] = ARGV[3]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(fu))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 'ok'
