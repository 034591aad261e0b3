-- Mirror a stored total read from the database, unless a flush is under way or finished since
-- the beacon read the generation (the total read may or may not hold that batch).
-- KEYS: stored totals, generation, flushing. ARGV: article, views, generation, seconds to keep
-- the mirror. Returns 1 when remembered.
if (redis.call('get', KEYS[2]) or '0') ~= ARGV[3] then return 0 end
if redis.call('exists', KEYS[3]) == 1 then return 0 end
redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2])
if redis.call('ttl', KEYS[1]) < 0 then redis.call('expire', KEYS[1], ARGV[4]) end
return 1
