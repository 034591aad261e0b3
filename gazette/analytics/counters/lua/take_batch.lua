-- Atomically move the pending hashes aside, unless an earlier flush left its batch there
-- (it died before deleting it): then that batch is taken again.
-- KEYS: pending, pending-by-article, flushing, flushing-by-article. ARGV: a fresh batch id.
-- Returns the batch id, or false when nothing waits.
if redis.call('exists', KEYS[3]) == 0 then
  if redis.call('exists', KEYS[1]) == 0 then return false end
  redis.call('rename', KEYS[1], KEYS[3])
  if redis.call('exists', KEYS[2]) == 1 then redis.call('rename', KEYS[2], KEYS[4]) end
  redis.call('hset', KEYS[3], '~batch', ARGV[1])
end
return redis.call('hget', KEYS[3], '~batch')
