-- The beacon's one round trip. KEYS: live version, reader's seen key, pending,
-- pending-by-article, flushing-by-article, stored totals, generation. ARGV: the live version the
-- caller checked the article against ('*': checked in the database), a fresh version in case
-- none is set, 1 to count (0: answer only), the seen key's seconds (the repeat window),
-- 'article:hour', article.
-- Returns {-1, version} when the caller's version is out of date (nothing counted), else
-- {counted, pending, stored total or -1, generation}.
local version = redis.call('get', KEYS[1])
if not version then
  redis.call('set', KEYS[1], ARGV[2])
  version = ARGV[2]
end
if ARGV[1] ~= '*' and version ~= ARGV[1] then return {-1, version} end
local counted = 0
if ARGV[3] == '1' and redis.call('set', KEYS[2], 1, 'NX', 'EX', ARGV[4]) then
  counted = 1
  redis.call('hincrby', KEYS[3], ARGV[5], 1)
  redis.call('hincrby', KEYS[4], ARGV[6], 1)
end
local waiting = tonumber(redis.call('hget', KEYS[4], ARGV[6]) or '0')
  + tonumber(redis.call('hget', KEYS[5], ARGV[6]) or '0')
local stored = tonumber(redis.call('hget', KEYS[6], ARGV[6]) or '-1')
return {counted, waiting, stored, redis.call('get', KEYS[7]) or '0'}
