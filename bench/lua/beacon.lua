-- The view beacon as readers' browsers send it: POST /analytics/views/<id>/ for the article ids
-- given after "--" (comma-separated), each request from another reader (its own user agent),
-- so the 30-minute dedupe of one reader and one article never applies. Counts the answers:
-- nginx's 204 (it answers the beacon and logs it; every one is a new browser reader's, so a
-- view to count), or an older tree's 200 whose JSON says counted. The harness compares them
-- with the stored counts.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  ids = {}
  for id in string.gmatch(args[1] or "", "%d+") do
    table.insert(ids, id)
  end
  sent, counted, answered = 0, 0, 0
end

function request()
  sent = sent + 1
  local article = ids[(sent % #ids) + 1]
  local agent = string.format(
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      .. "Chrome/131.0.%d.%d Safari/537.36", thread_number, sent)
  return wrk.format("POST", "/analytics/views/" .. article .. "/", {
    ["User-Agent"] = agent,
    ["Sec-Fetch-Dest"] = "empty",
    ["Sec-Fetch-Site"] = "same-origin",
    ["Content-Length"] = "0",
  })
end

function response(status, headers, body)
  if status == 204 then
    answered = answered + 1
    counted = counted + 1
  elseif status == 200 then
    answered = answered + 1
    if string.find(body, '"counted": true', 1, true) then
      counted = counted + 1
    end
  end
end

function done(summary, latency, requests)
  local total_counted, total_answered = 0, 0
  for _, thread in ipairs(threads) do
    total_counted = total_counted + thread:get("counted")
    total_answered = total_answered + thread:get("answered")
  end
  io.write(string.format("bench counted=%d\nbench answered=%d\n", total_counted, total_answered))
end
