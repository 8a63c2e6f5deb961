-- Commit one conversation turn atomically (see hotline/store/turns.py, TurnStore._commit_turn).
-- Redis 6.2 compatible: no commands newer than 6.2, cjson only. Everything arrives as flat
-- arguments so that a plain turn decodes no JSON here: this runs once per webhook.
--
-- KEYS: 1 state, 2 conv, 3 conv log, 4 conv follow-ups, 5 last conv of phone, 6 opt-out of
--       phone, 7 index, 8 due follow-ups, 9 old conv, 10 old conv follow-ups, 11 wording table,
--       12 the webhook's replay memory (an unused key name ending in '-' without a webhook id),
--       13 the silence index
-- ARGV: 1 expected version, 2 state json, 3 session ttl, 4 retention, 5 now (unix s),
--       6 now (unix ms, the log entries' stream id), 7 now (ISO-8601), 8 conv id,
--       9 expire old conv ('1'), 10 cancel scopes ('current,old'), 11 opt-out action,
--       12 new follow-ups json ('' = none), 13 check-in answer json ('' = none),
--       14 the log's compaction ('1' rewrite it: its first turn; '2' rewrite it if it has
--          more than one node, and write a repeated answer as '=': it has finished or is past
--          the advice; '' neither),
--       15 n = number of record fields, 16 .. 15+2n record field name/value pairs,
--       16+2n k = number of record fields to clear (at their default), then their k names,
--       then per log entry three values: m ('direction|channel|key[|at]', no tab), text,
--       wording ref ('' = keep the text in the entry); entries are written in this order;
--       last four: when the silence sweeper first looks at this session ('' = no change,
--       '-' = no longer watched),
--       the session (its member there), the webhook's reply to remember ('' = no webhook id),
--       for how long (s)
-- Returns 'ok' | 'conflict' | 'replay' (this webhook was already committed: nothing written)

local current = redis.call('GET', KEYS[1])
local version = 0
if current then
  version = tonumber(string.match(current, '^(%d+)|')) or 0
end
if version ~= tonumber(ARGV[1]) then return 'conflict' end

local log_end = #ARGV - 4
if ARGV[log_end + 3] ~= '' and
    not redis.call('SET', KEYS[12], ARGV[log_end + 3], 'NX', 'EX', ARGV[log_end + 4]) then
  return 'replay'
end

local retention = ARGV[4]
local now = ARGV[5]

local function cancel(fu_key)
  local all = redis.call('HGETALL', fu_key)
  for i = 1, #all, 2 do
    local fu = cjson.decode(all[i + 1])
    if fu['status'] == 'scheduled' then
      fu['status'] = 'cancelled'
      redis.call('HSET', fu_key, all[i], cjson.encode(fu))
      redis.call('ZREM', KEYS[8], all[i])
    end
  end
end

for scope in string.gmatch(ARGV[10], '[^,]+') do
  if scope == 'current' then cancel(KEYS[4]) end
  if scope == 'old' then cancel(KEYS[10]) end
end

if ARGV[9] == '1' and redis.call('HGET', KEYS[9], 'status') == 'active' then
  redis.call('HSET', KEYS[9], 'status', 'expired')
end

redis.call('SET', KEYS[1], (version + 1) .. '|' .. ARGV[2], 'EX', ARGV[3])

-- The record. Redis keeps a hash compact (a listpack, about half the bytes of a hash table)
-- only while every value in it is at most 64 bytes (hash-max-listpack-value), so a longer
-- value (answers, a rule) is written in pieces of at most PIECE bytes, cut between UTF-8
-- characters: the field holds the first piece, '<field>#2', '<field>#3' ... the others
-- (records.record_fields joins them). Pieces a longer value left before are deleted.
local PIECE = 64
local record, next_pieces = {}, {}
local function continues(value, at)  -- the byte at `at` is a UTF-8 continuation byte
  local byte = string.byte(value, at)
  return byte >= 0x80 and byte < 0xC0
end
local function put_record_field(name, value)
  local n, from = 1, 1
  while #value - from + 1 > PIECE do
    local to = from + PIECE - 1
    -- Inside a character (a continuation byte follows): cut before it. A character is at
    -- most 4 bytes, so this backs off at most 3, whatever the bytes.
    local back = 0
    while back < 3 and continues(value, to + 1) do to, back = to - 1, back + 1 end
    record[#record + 1] = n == 1 and name or (name .. '#' .. n)
    record[#record + 1] = string.sub(value, from, to)
    from, n = to + 1, n + 1
  end
  record[#record + 1] = n == 1 and name or (name .. '#' .. n)
  record[#record + 1] = string.sub(value, from)
  next_pieces[#next_pieces + 1] = {name, n + 1}
end

local fields_end = 15 + 2 * tonumber(ARGV[15])
for i = 16, fields_end, 2 do put_record_field(ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[2], unpack(record))
local cleared_end = fields_end + 1 + tonumber(ARGV[fields_end + 1])
if cleared_end > fields_end + 1 then
  redis.call('HDEL', KEYS[2], unpack(ARGV, fields_end + 2, cleared_end))
  for i = fields_end + 2, cleared_end do next_pieces[#next_pieces + 1] = {ARGV[i], 2} end
end
-- Each field's first piece past what it holds now: none there is the usual answer (one
-- command); one there means a value got shorter, and its pieces after that go too.
local stale = {}
for i, piece in ipairs(next_pieces) do stale[i] = piece[1] .. '#' .. piece[2] end
if redis.call('HDEL', KEYS[2], unpack(stale)) > 0 then
  for _, piece in ipairs(next_pieces) do
    local n = piece[2] + 1
    while redis.call('HDEL', KEYS[2], piece[1] .. '#' .. n) == 1 do n = n + 1 end
  end
end
redis.call('EXPIRE', KEYS[2], retention)
redis.call('ZADD', KEYS[7], 'NX', now, ARGV[8])
redis.call('SET', KEYS[5], ARGV[8], 'EX', retention)

-- The log: one stream entry per turn, in one field 'e' = m TAB refs TAB text (records.py reads
-- it back). The stream id is the turn's own time (ms) and its place in the turn, so the entry
-- needs no time field; should the stream already hold a later id (another host's clock, or a
-- follow-up written by Redis's clock), the entry takes Redis's id and m names its time. m is
-- one letter for the usual 'direction|channel|' (CODES), else written out. An outbound text is
-- stored once in the wording table and referred to by a hash of it; a different text already
-- under that hash (never expected) keeps this one in the entry itself. Texts sent in reply ride
-- on the entry before them as refs (space separated): one entry per turn, not one per message.
-- refs '=' are the same as the entry just before (a long tail after the advice gets the same
-- answer every time), and a text in with refs '=' is written 'r' (or 'R') TAB text.
local CODES = {['in|sms|'] = 'i', ['out|sms|'] = 'o', ['event|sms|'] = 'e',
               ['in|voice|'] = 'I', ['out|voice|'] = 'O', ['event|voice|'] = 'E'}
local seq = 0
local pending = nil
local last_refs = nil  -- the refs of the log's newest entry, when known

-- A text in answered the same as the entry before is its own letter and its text: 'r' TAB
-- text (2 bytes where 'i' TAB '=' TAB takes 4, on every text of a long tail).
local REPEATS = {i = 'r', I = 'R'}
local REPEATED = {r = true, R = true}

local function refs_of(fields)
  if #fields ~= 2 or fields[1] ~= 'e' then return nil end
  if REPEATED[string.match(fields[2], '^([^\t]*)\t')] then return '=' end
  return string.match(fields[2], '^[^\t]*\t([^\t]*)\t')
end

-- Only turns that may repeat an earlier answer look back, to the newest entry that names its
-- refs (each entry read costs about a microsecond here): two entries, then on along a chain
-- of '='s to LOOK_BACK in all, so a long tail names its refs again once every LOOK_BACK + 1
-- entries (each time ~13 bytes) instead of every third.
local LOOK_BACK = 16
if ARGV[14] ~= '' then
  local high, read, count = '+', 0, 2
  while read < LOOK_BACK do
    local items = redis.call('XREVRANGE', KEYS[3], high, '-', 'COUNT', count)
    local found = false
    for _, item in ipairs(items) do
      local refs = refs_of(item[2])
      if refs ~= '=' then
        last_refs, found = refs, true
        break
      end
    end
    if found or #items < count then break end
    read = read + count
    high, count = '(' .. items[#items][1], LOOK_BACK - read
  end
end

local function with_time(m)
  if string.match(m, '^[^|]*|[^|]*|[^|]*|') then return m end
  return m .. '|' .. ARGV[7]
end

local function flush()
  if not pending then return end
  local refs = pending.r
  if refs ~= '' and refs == last_refs then refs = '=' end
  local tail = '\t' .. refs .. '\t' .. pending.t
  local code = CODES[pending.m]
  local value = (code or pending.m) .. tail
  if refs == '=' and REPEATS[code] then value = REPEATS[code] .. '\t' .. pending.t end
  local added = redis.pcall('XADD', KEYS[3], ARGV[6] .. '-' .. seq, 'e', value)
  if type(added) == 'table' and added.err then
    -- A turn in the same millisecond as the one before goes on in its sequence; a later id
    -- (another clock) is Redis's own, with the turn's time in the entry.
    local newest = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)[1]
    local ms, newest_seq = string.match(newest and newest[1] or '', '^(%d+)-(%d+)$')
    if ms == ARGV[6] then
      seq = tonumber(newest_seq) + 1
      added = redis.pcall('XADD', KEYS[3], ARGV[6] .. '-' .. seq, 'e', value)
    end
    if type(added) == 'table' and added.err then
      redis.call('XADD', KEYS[3], '*', 'e', with_time(pending.m) .. tail)
    end
  end
  last_refs = pending.r
  seq = seq + 1
  pending = nil
end

for i = cleared_end + 1, log_end, 3 do
  local m, text, ref = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if ref ~= '' then
    local known = redis.call('HGET', KEYS[11], ref)
    if not known then
      redis.call('HSET', KEYS[11], ref, text)
      text = ''
    elseif known == text then
      text = ''
    else
      ref = ''
    end
  end
  local kind, rest = string.match(m, '^(%a+)(|.*)$')
  if ref ~= '' and pending and pending.rest == rest
      and (pending.kind == 'in' or (pending.kind == 'out' and pending.t == '')) then
    pending.r = pending.r == '' and ref or (pending.r .. ' ' .. ref)
  else
    flush()
    pending = {m = m, t = text, r = ref, kind = kind, rest = rest}
  end
end
flush()

-- Redis 7 gives a new stream node 4 KB up front for the entries to come, and a conversation's
-- log rarely needs that much: it is rewritten at its real size (DUMP and RESTORE write a node
-- exactly as long as its entries; later entries grow it only as far as they need) on its first
-- turn, and on later turns that ask (ARGV[14] '2') once the log has more than one node, as a
-- node filled since may have left a new one of 4 KB. (Redis 6.2 allocates exactly anyway.)
-- A turn that wrote no entry (seq 0) has added no node, and may have no log yet.
local compact = ARGV[14] == '1' and seq > 0
if ARGV[14] == '2' and seq > 0 then
  local info = redis.call('XINFO', 'STREAM', KEYS[3])
  for n = 1, #info, 2 do
    if info[n] == 'radix-tree-keys' then compact = info[n + 1] > 1 end
  end
end
if compact then
  redis.call('RESTORE', KEYS[3], tonumber(retention) * 1000, redis.call('DUMP', KEYS[3]),
             'REPLACE')
else
  redis.call('EXPIRE', KEYS[3], retention)
end

-- A planned follow-up's JSON leaves out its id (the field's name) and the fields still null
-- (sent_at, reply), ~70 bytes of every follow-up kept: records.followup_of puts them back.
if ARGV[12] ~= '' then
  for _, fu in ipairs(cjson.decode(ARGV[12])) do
    local id = fu['id']
    fu['id'] = nil
    for name, value in pairs(fu) do
      if value == cjson.null then fu[name] = nil end
    end
    redis.call('HSET', KEYS[4], id, cjson.encode(fu))
    redis.call('ZADD', KEYS[8], fu['due_ts'], id)
  end
  redis.call('EXPIRE', KEYS[4], retention)
end

if ARGV[13] ~= '' then
  local answer = cjson.decode(ARGV[13])
  local all = redis.call('HGETALL', KEYS[4])
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
    redis.call('HSET', KEYS[4], best_key, cjson.encode(best))
  end
end

if ARGV[log_end + 1] == '-' then
  redis.call('ZREM', KEYS[13], ARGV[log_end + 2])
elseif ARGV[log_end + 1] ~= '' then
  redis.call('ZADD', KEYS[13], ARGV[log_end + 1], ARGV[log_end + 2])
end

if ARGV[11] == 'set' then
  redis.call('SET', KEYS[6], now)
elseif ARGV[11] == 'del' then
  redis.call('DEL', KEYS[6])
end
return 'ok'
