-- After the batch is in the database: add it to the mirrored stored totals and drop it, in one
-- step, so no reader of "stored + pending" sees it twice or not at all. Then a new generation.
-- KEYS: flushing, flushing-by-article, stored totals, generation. Returns the new generation.
if redis.call('exists', KEYS[3]) == 1 then
  local counts = redis.call('hgetall', KEYS[2])
  for i = 1, #counts, 2 do
    if redis.call('hexists', KEYS[3], counts[i]) == 1 then
      redis.call('hincrby', KEYS[3], counts[i], counts[i + 1])
    end
  end
end
redis.call('del', KEYS[1], KEYS[2])
return redis.call('incr', KEYS[4])
