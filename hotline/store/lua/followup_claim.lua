-- Claim a follow-up for sending (see hotline/store/followups.py, FollowupStore.claim).
-- The claim is the "before" half of the idempotency record: an attempt token and time are
-- written into the follow-up before any REST call, so a second run of the job can tell a
-- send that may have happened from one that never started. Redis 6.2 compatible.
--
-- KEYS: 1 conv follow-ups hash, 2 due index, 3 opt-out of phone, 4 last conv of phone,
--       5 the record of the phone's last conversation as read just before (or of this one)
-- ARGV: 1 follow-up id, 2 now (unix s), 3 attempt token, 4 in-flight window (s), 5 conv id,
--       6 now (ISO-8601), 7 clock skew allowed (s), 8 the last conv id read just before
-- Returns {outcome, follow-up json or ''}: claimed | in_flight | unconfirmed | confirmed |
--   early | done | opted_out | superseded | missing

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {'missing', ''}
end
local fu = cjson.decode(raw)
local now = tonumber(ARGV[2])

local function settle(status, reason)
  fu['status'] = status
  fu['reason'] = reason
  fu['attempt'] = nil
  local encoded = cjson.encode(fu)
  redis.call('HSET', KEYS[1], ARGV[1], encoded)
  redis.call('ZREM', KEYS[2], ARGV[1])
  return encoded
end

if fu['status'] ~= 'scheduled' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {'done', raw}
end
if tonumber(fu['due_ts']) and tonumber(fu['due_ts']) > now + tonumber(ARGV[7]) then
  return {'early', raw}  -- a stray copy of the job; the scheduled one or the sweeper sends it
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  return {'opted_out', settle('cancelled', 'opted_out')}
end
local last = redis.call('GET', KEYS[4])
if last and last ~= ARGV[5] and last == ARGV[8]
    and (redis.call('HGET', KEYS[5], 'disposition') or '') ~= '' then
  -- A newer conversation from this number reached a disposition: its commit should already
  -- have cancelled this one. One that gave no advice (a call that answered nothing, an "ok
  -- thanks" a day later) leaves the check-in to go out.
  return {'superseded', settle('cancelled', 'newer_conversation')}
end
if type(fu['sid']) == 'string' then
  -- Twilio's status callback named this follow-up: an earlier attempt did go out.
  return {'confirmed', raw}
end
local attempt = fu['attempt']
if type(attempt) == 'table' then
  if now - tonumber(attempt['at']) < tonumber(ARGV[4]) then
    return {'in_flight', raw}
  end
  return {'unconfirmed', raw}
end

fu['attempt'] = {token = ARGV[3], at = now, at_iso = ARGV[6]}
fu['attempts'] = (tonumber(fu['attempts']) or 0) + 1
local encoded = cjson.encode(fu)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
-- The sweeper looks again only once this attempt can no longer be in flight.
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[4]), ARGV[1])
return {'claimed', encoded}
