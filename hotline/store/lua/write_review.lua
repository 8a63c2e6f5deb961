-- Record a staff review on a conversation, only if the conversation still exists: a review
-- must never recreate a record that retention has just purged. Every review is kept: 'review'
-- holds the latest (what the queue reads), 'reviews' all of them, newest first.
-- KEYS: 1 conversation record hash
-- ARGV: 1 review json
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local all = redis.call('HGET', KEYS[1], 'reviews')
local earlier = redis.call('HGET', KEYS[1], 'review')
local reviews = {}
if all then
  reviews = cjson.decode(all)
elseif earlier then
  reviews = {cjson.decode(earlier)}  -- written before every review was kept
end
table.insert(reviews, 1, cjson.decode(ARGV[1]))
redis.call('HSET', KEYS[1], 'review', ARGV[1], 'reviews', cjson.encode(reviews))
return 1
