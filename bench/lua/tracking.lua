-- The article as readers arriving from newsletters and social links ask for it: each request
-- with a tracking parameter no other request had (utm_source=<thread>-<number>), as a
-- cache-busting client would send them. The path is given after "--".
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  path = args[1] or "/"
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format("GET", string.format("%s?utm_source=t%d-%d", path, thread_number, sent))
end
