-- Filter one chunk of conversation records for the staff queue (hotline/store/staff.py).
-- Runs inside Redis so a queue of thousands is read in a few short calls instead of one
-- round trip per conversation. Redis 6.2 compatible: HMGET and cjson only.
--
-- KEYS: conversation record hashes (hotline.store.keys.conv_key), newest first
-- ARGV: 1 disposition ('' any, '-' none yet), 2 channel, 3 status, 4 red flag as a JSON string
--       ('"weakness"', '' any), 5 reviewed ('', 'yes', 'no'), 6 last digits of the number,
--       7 language, 8 expiry cutoff (ISO-8601; an active conversation silent since before it
--       counts as expired, as hotline.store.records.build_record says)
-- Returns a flat list of pairs: position in KEYS (1-based), group
--   (0 emergency not reviewed, 1 urgent not reviewed, 2 closed for no reply before the
--   red-flag questions ended and not reviewed, 3 everything else)

local want_disposition, want_channel, want_status = ARGV[1], ARGV[2], ARGV[3]
local want_flag, want_reviewed, want_digits, want_language = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local expiry_cutoff = ARGV[8]

-- A review covers the disposition it saw: if the level rose afterwards, it needs a look again.
local function is_reviewed(raw, disposition)
  if not raw or raw == '' then return false end
  local ok, review = pcall(cjson.decode, raw)
  if not ok or type(review) ~= 'table' then return true end
  local seen = review['disposition']
  if seen == nil or seen == cjson.null then return true end
  return seen == disposition
end

-- A value longer than 64 bytes is kept in pieces (commit_turn.lua): 'red_flags#2' and on.
local function joined(key, name, first, second)
  if not second then return first end
  local pieces, n = {first, second}, 3
  local piece = redis.call('HGET', key, name .. '#' .. n)
  while piece do
    pieces[#pieces + 1] = piece
    n = n + 1
    piece = redis.call('HGET', key, name .. '#' .. n)
  end
  return table.concat(pieces)
end

local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'phone', 'disposition', 'review', 'channel', 'status',
                       'updated_at', 'red_flags', 'language', 'flags_open', 'red_flags#2')
  local phone = v[1]
  if phone then
    v[7] = joined(key, 'red_flags', v[7], v[10])
    local disposition = v[2] or ''
    local channel = v[4] or 'sms'
    local status = v[5] or 'active'
    if status == 'active' and v[6] and v[6] < expiry_cutoff then status = 'expired' end
    local language = v[8] or 'en'
    -- Decoding a review costs more than the rest of the row: only where the answer matters.
    local attention = disposition == 'emergency' or disposition == 'urgent'
    local stopped = status == 'no_reply' and (v[9] or '0') ~= '0' and not attention
    local reviewed = false
    if attention or stopped or want_reviewed ~= '' then
      reviewed = is_reviewed(v[3], disposition)
    end
    local keep = true
    if want_disposition == '-' then
      keep = disposition == ''
    elseif want_disposition ~= '' then
      keep = disposition == want_disposition
    end
    if keep and want_channel ~= '' and channel ~= want_channel then keep = false end
    if keep and want_status ~= '' and status ~= want_status then keep = false end
    if keep and want_language ~= '' and language ~= want_language then keep = false end
    if keep and want_flag ~= '' and not string.find(v[7] or '', want_flag, 1, true) then
      keep = false
    end
    if keep and want_reviewed == 'yes' and not reviewed then keep = false end
    if keep and want_reviewed == 'no' and reviewed then keep = false end
    if keep and want_digits ~= '' and string.sub(phone, -#want_digits) ~= want_digits then
      keep = false
    end
    if keep then
      local group = 3
      if attention and not reviewed then
        group = disposition == 'emergency' and 0 or 1
      elseif stopped and not reviewed then
        group = 2
      end
      out[#out + 1] = i
      out[#out + 1] = group
    end
  end
end
return out
