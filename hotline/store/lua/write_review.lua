-- Record a staff review on a conversation, only if the conversation still exists: a review
-- must never recreate a record that retention has just purged.
-- KEYS: 1 conversation record hash
-- ARGV: 1 review json
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'review', ARGV[1])
return 1
