-- A member posting a comment on Ghost, as its comments app does: POST /members/api/comments/
-- with the member's session cookie. Arguments after "--": the Cookie header, then post ids.
-- Every text is different. Counts the answers that took the comment (201).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  cookie = args[1]
  ids = {}
  for i = 2, #args do
    table.insert(ids, args[i])
  end
  sent, accepted = 0, 0
  run = os.time()  -- texts differ from one run to the next too
end

function request()
  sent = sent + 1
  local id = ids[(sent % #ids) + 1]
  local body = string.format(
    '{"comments":[{"post_id":"%s","html":"<p>Bench reader %d-%d-%d thinks this story '
      .. 'deserves a follow-up on the budget.</p>"}]}', id, run, thread_number, sent)
  return wrk.format("POST", "/members/api/comments/", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = cookie,
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    accepted = accepted + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("accepted")
  end
  io.write(string.format("bench accepted=%d\n", total))
end
