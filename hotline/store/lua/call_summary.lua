-- The after-call text's exactly-once record, in the conversation's own hash (field 'summary'),
-- as for follow-ups: an attempt is written before the REST call, the result after it
-- (hotline/store/call_summary.py). Redis 6.2 compatible.
--
-- KEYS: 1 conversation record hash, 2 its log
-- ARGV: 1 action (claim | sent | release | refused), 2 attempt token, 3 now (unix s),
--       4 now (ISO-8601), then for claim: 5 in-flight window (s);
--       for sent: 5 message sid, 6 log entry json, 7 retention (s); for refused: 5 error code
-- Returns claim: 'claimed' | 'in_flight' | 'unconfirmed' (settled as sent, not sent again) |
--   'done' | 'missing'; sent / release / refused: 'ok' | 'lost'

if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
local raw = redis.call('HGET', KEYS[1], 'summary')
local s = {}
if raw then s = cjson.decode(raw) end
local now = tonumber(ARGV[3])

local function save()
  redis.call('HSET', KEYS[1], 'summary', cjson.encode(s))
end

if ARGV[1] == 'claim' then
  if s['status'] == 'sent' or s['status'] == 'refused' then return 'done' end
  if type(s['attempt']) == 'table' then
    if now - tonumber(s['attempt']['at']) < tonumber(ARGV[5]) then return 'in_flight' end
    -- An earlier run sent and never heard back (Twilio answered after its timeout, or the
    -- worker died): the text most likely went out. Never a second one.
    s['status'] = 'sent'
    s['confirmed'] = false
    s['sent_at'] = s['attempt']['at_iso']
    s['attempt'] = nil
    save()
    return 'unconfirmed'
  end
  s['attempt'] = {token = ARGV[2], at = now, at_iso = ARGV[4]}
  s['attempts'] = (tonumber(s['attempts']) or 0) + 1
  save()
  return 'claimed'
end

if type(s['attempt']) ~= 'table' or s['attempt']['token'] ~= ARGV[2] then return 'lost' end
s['attempt'] = nil
if ARGV[1] == 'sent' then
  s['status'] = 'sent'
  s['confirmed'] = true
  s['sid'] = ARGV[5]
  s['sent_at'] = ARGV[4]
  save()
  local entry = cjson.decode(ARGV[6])
  local flat = {}
  for name, value in pairs(entry) do
    flat[#flat + 1] = name
    flat[#flat + 1] = tostring(value)
  end
  redis.call('XADD', KEYS[2], '*', unpack(flat))
  redis.call('EXPIRE', KEYS[2], ARGV[7])
elseif ARGV[1] == 'refused' then
  s['status'] = 'refused'
  s['error_code'] = ARGV[5]
  save()
else
  save()  -- release: nothing went out, a later run may send
end
return 'ok'
