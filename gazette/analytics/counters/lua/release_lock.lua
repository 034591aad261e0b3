-- Drop the flush lock only if this flusher still holds it. KEYS: the lock. ARGV: its token.
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
