-- A reader posting a comment on WordPress, as its comment form does: POST /wp-comments-post.php
-- with the form's fields. Arguments after "--": the post ids. Every text is different (WordPress
-- refuses duplicates); its flood check is off for the bench (bench/peers/wordpress/). Counts the
-- answers that took the comment (a redirect to it).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local function urlencode(text)
  return (string.gsub(text, "[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function init(args)
  ids = {}
  for i = 1, #args do
    table.insert(ids, args[i])
  end
  sent, accepted = 0, 0
  run = os.time()  -- texts differ from one run to the next too
end

function request()
  sent = sent + 1
  local id = ids[(sent % #ids) + 1]
  local text = string.format(
    "Bench reader %d-%d-%d thinks this story deserves a follow-up on the budget.",
    run, thread_number, sent)
  local body = "comment_post_ID=" .. id .. "&comment_parent=0&author=Bench+reader"
    .. "&email=bench%40example.com&url=&submit=Post+Comment&comment=" .. urlencode(text)
  return wrk.format("POST", "/wp-comments-post.php", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
  }, body)
end

function response(status, headers, body)
  if status == 302 then
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
