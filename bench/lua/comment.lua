-- A reader posting a comment through the real endpoint, as the article page's form does:
-- POST /comments/<id>/post/ with the form's fields and its stamp, from this site's origin.
-- Arguments after "--": the origin, a tag of this load, then "<article id>:<stamp>" pairs
-- (stamps read from the pages). Every text is different, within a load and from one load to
-- the next on the same stack (the repeat check would hold a copy for a moderator: a held
-- post is not the published post measured, and it wakes the task worker for the e-mail).
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
  origin = args[1]
  tag = args[2]
  forms = {}
  for i = 3, #args do
    local id, stamp = string.match(args[i], "^(%d+):(.+)$")
    table.insert(forms, {id = id, stamp = stamp})
  end
  sent, accepted = 0, 0
end

function request()
  sent = sent + 1
  local form = forms[(sent % #forms) + 1]
  local text = string.format(
    "Bench reader %s-%d-%d thinks this story deserves a follow-up on the budget.",
    tag, thread_number, sent)
  local body = "name=Bench+reader&email=&website=&text=" .. urlencode(text)
    .. "&stamp=" .. urlencode(form.stamp)
  return wrk.format("POST", "/comments/" .. form.id .. "/post/", {
    ["Origin"] = origin,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
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
