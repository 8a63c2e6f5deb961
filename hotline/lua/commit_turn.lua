-- Commit one conversation turn atomically (see hotline/store.py, Store._commit_turn).
-- Redis 6.2 compatible: no commands newer than 6.2, cjson only.
--
-- KEYS: 1 state, 2 sid, 3 conv, 4 conv log, 5 conv follow-ups, 6 last conv of phone,
--       7 opt-out of phone, 8 index, 9 due follow-ups, 10 old conv, 11 old conv follow-ups
-- ARGV: 1 expected version, 2 state json, 3 session ttl, 4 replies json ('' = no dedupe),
--       5 sid ttl, 6 record fields json, 7 log entries json, 8 retention, 9 opt-out action,
--       10 now, 11 conv id, 12 expire old conv ('1'), 13 cancel scopes ('current,old'),
--       14 new follow-ups json, 15 check-in answer json ('null' = none)

local current = redis.call('GET', KEYS[1])
local version = 0
if current then
  version = tonumber(string.match(current, '^(%d+)|')) or 0
end
if ARGV[4] ~= '' then
  local seen = redis.call('GET', KEYS[2])
  if seen then return {'dup', seen} end
end
if version ~= tonumber(ARGV[1]) then return {'conflict'} end

local retention = tonumber(ARGV[8])
local now = ARGV[10]

local function cancel(fu_key)
  local all = redis.call('HGETALL', fu_key)
  for i = 1, #all, 2 do
    local fu = cjson.decode(all[i + 1])
    if fu['status'] == 'scheduled' then
      fu['status'] = 'cancelled'
      redis.call('HSET', fu_key, all[i], cjson.encode(fu))
      redis.call('ZREM', KEYS[9], all[i])
    end
  end
end

for scope in string.gmatch(ARGV[13], '[^,]+') do
  if scope == 'current' then cancel(KEYS[5]) end
  if scope == 'old' then cancel(KEYS[11]) end
end

if ARGV[12] == '1' and redis.call('HGET', KEYS[10], 'status') == 'active' then
  redis.call('HSET', KEYS[10], 'status', 'expired')
end

redis.call('SET', KEYS[1], (version + 1) .. '|' .. ARGV[2], 'EX', ARGV[3])
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
end

local fields = cjson.decode(ARGV[6])
for name, value in pairs(fields) do
  redis.call('HSET', KEYS[3], name, value)
end
redis.call('EXPIRE', KEYS[3], retention)
redis.call('ZADD', KEYS[8], 'NX', now, ARGV[11])
redis.call('SET', KEYS[6], ARGV[11], 'EX', retention)

for _, entry in ipairs(cjson.decode(ARGV[7])) do
  local flat = {}
  for name, value in pairs(entry) do
    flat[#flat + 1] = name
    flat[#flat + 1] = tostring(value)
  end
  redis.call('XADD', KEYS[4], '*', unpack(flat))
end
redis.call('EXPIRE', KEYS[4], retention)

for _, fu in ipairs(cjson.decode(ARGV[14])) do
  redis.call('HSET', KEYS[5], fu['id'], cjson.encode(fu))
  redis.call('ZADD', KEYS[9], fu['due_ts'], fu['id'])
end
if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('EXPIRE', KEYS[5], retention) end

local answer = cjson.decode(ARGV[15])
if answer ~= cjson.null and type(answer) == 'table' then
  local all = redis.call('HGETALL', KEYS[5])
  local best_key, best = nil, nil
  for i = 1, #all, 2 do
    local fu = cjson.decode(all[i + 1])
    if fu['status'] == 'sent' and (best == nil or fu['due_ts'] > best['due_ts']) then
      best_key, best = all[i], fu
    end
  end
  if best then
    best['status'] = 'answered'
    best['reply'] = answer['reply']
    best['reply_text'] = answer['text']
    best['answered_at'] = answer['at']
    redis.call('HSET', KEYS[5], best_key, cjson.encode(best))
  end
end

if ARGV[9] == 'set' then
  redis.call('SET', KEYS[7], now)
elseif ARGV[9] == 'del' then
  redis.call('DEL', KEYS[7])
end
return {'ok'}
