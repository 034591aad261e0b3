-- A batch of views from the beacon log (analytics/beacon_log.py), counted with the log's new
-- position in one atomic step: a batch is applied once, whatever dies when.
-- KEYS: live version, pending, pending-by-article, the log's position, then each view's seen
-- key. ARGV: the live version the caller checked the articles against, the position the caller
-- last saw saved ('' none), the new position, the seen keys' seconds (the repeat window), then
-- for each view 'article:hour' and article.
-- Returns {-1, version} when the caller's version is out of date, {-2, position} when the
-- saved position is not the caller's (nothing counted), else {counted, ''}.
local version = redis.call('get', KEYS[1]) or ''
if version ~= ARGV[1] then return {-1, version} end
local position = redis.call('get', KEYS[4]) or ''
if position ~= ARGV[2] then return {-2, position} end
local counted = 0
for index = 5, #KEYS do
  local at = 5 + (index - 5) * 2
  if redis.call('set', KEYS[index], 1, 'NX', 'EX', ARGV[4]) then
    counted = counted + 1
    redis.call('hincrby', KEYS[2], ARGV[at], 1)
    redis.call('hincrby', KEYS[3], ARGV[at + 1], 1)
  end
end
redis.call('set', KEYS[4], ARGV[3])
return {counted, ''}
