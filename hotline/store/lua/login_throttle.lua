-- Count a sign-in attempt before its password is checked (hotline/store/staff.py,
-- StaffRecords.reserve_login), so parallel requests cannot all slip under the limit: each one
-- is counted as a failure here, atomically, and a right password takes its count back
-- (mode 'ok'). Redis 6.2 compatible.
--
-- Three throttles: the account from this client (two free mistakes, then waits, then a
-- lock-out: a guesser elsewhere cannot lock the real user out), the client on every account
-- (spraying many accounts), the account from every client (many clients at one account).
--
-- KEYS: 1 the account's attempts hash (fields '<client>|failures|wait|locked' per client and
--       '*|failures|since|locked' for every client), 2 the client's attempts hash
--       ('failures', 'since', 'locked')
-- ARGV: 1 mode ('reserve' | 'ok'), 2 now (unix ms), 3 client id, 4 free failures,
--       5 waits (ms, comma separated), 6 lock after, 7 lock length (ms), 8 memory (s),
--       9 client limit, 10 account limit, 11 window (ms)
-- Times are whole milliseconds: exact in a Lua number, so a wait ends exactly when it says.
-- Returns {'check', wait after a wrong password, locked until after a wrong password} |
--         {'wait', until} | {'locked', until} | {'ok'}

local now = tonumber(ARGV[2])
local c = ARGV[3]
local memory = ARGV[8]

local function t(value) return string.format('%d', value) end

local function num(key, field)
  return tonumber(redis.call('HGET', key, field) or '0') or 0
end

local function take_back(key, field)
  if num(key, field) > 0 then redis.call('HINCRBY', key, field, -1) end
end

if ARGV[1] == 'ok' then
  redis.call('HDEL', KEYS[1], c .. '|failures', c .. '|wait', c .. '|locked')
  take_back(KEYS[1], '*|failures')
  take_back(KEYS[2], 'failures')
  return {'ok'}
end

for _, locked in ipairs({num(KEYS[1], '*|locked'), num(KEYS[1], c .. '|locked'),
                         num(KEYS[2], 'locked')}) do
  if locked > now then return {'locked', t(locked)} end
end
local wait_until = num(KEYS[1], c .. '|wait')
if wait_until > now then return {'wait', t(wait_until)} end

local lock_seconds = tonumber(ARGV[7])
local window = tonumber(ARGV[11])

-- A failure in a window that starts at its first failure: returns the count in the window.
local function count(key, prefix)
  if now - num(key, prefix .. 'since') > window then
    redis.call('HSET', key, prefix .. 'failures', 0, prefix .. 'since', t(now))
  end
  return redis.call('HINCRBY', key, prefix .. 'failures', 1)
end

local wait, locked_until = 0, 0
local failures = redis.call('HINCRBY', KEYS[1], c .. '|failures', 1)
if failures >= tonumber(ARGV[6]) then
  -- Counting starts again after the lock, so each lock needs as many new mistakes.
  locked_until = now + lock_seconds
  redis.call('HSET', KEYS[1], c .. '|failures', 0, c .. '|wait', 0, c .. '|locked', t(locked_until))
elseif failures > tonumber(ARGV[4]) then
  local waits = {}
  for w in string.gmatch(ARGV[5], '[^,]+') do waits[#waits + 1] = tonumber(w) end
  wait = waits[math.min(failures - tonumber(ARGV[4]), #waits)]
  redis.call('HSET', KEYS[1], c .. '|wait', t(now + wait))
end
if count(KEYS[1], '*|') >= tonumber(ARGV[10]) then
  redis.call('HSET', KEYS[1], '*|failures', 0, '*|locked', t(now + lock_seconds))
  locked_until = now + lock_seconds
end
if count(KEYS[2], '') >= tonumber(ARGV[9]) then
  redis.call('HSET', KEYS[2], 'failures', 0, 'locked', t(now + lock_seconds))
  locked_until = now + lock_seconds
end
redis.call('EXPIRE', KEYS[1], memory)
redis.call('EXPIRE', KEYS[2], memory)
return {'check', tostring(wait), t(locked_until)}
