-- wrk script for the soak test: one request in four registers a dispute on a new invoice; the
-- others read what was registered before (a dispute, its timeline, a page of the list) and,
-- once in a thousand, run the SLA report. Needs DISPUTED_KEY (a controller key) and WRK_THREADS;
-- optional DISPUTES (disputes 1..DISPUTES exist already) and START (the new registrations take
-- the invoices after INV-B<START>), both 0 by default.
--
-- Reads only name disputes whose registration was answered: the highest id a 201 brought back
-- (each wrk thread sees its own answers). Ids are given in commit order by the one writer
-- without gaps, so once dispute N is acknowledged, 1..N are all committed. (Guessing ids from
-- the registrations sent, with a margin, read ids not yet committed when answers lagged.)
local threads = {}

function setup(thread)
  thread:set("offset", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  stride = tonumber(os.getenv("WRK_THREADS") or "2")
  existing = tonumber(os.getenv("DISPUTES") or "0")
  start = tonumber(os.getenv("START") or "0")
  n = offset - stride + start
  i = 0
  acknowledged = existing
  auth = "Bearer " .. os.getenv("DISPUTED_KEY")
  math.randomseed(os.time() + offset)
end

function response(status, headers, body)
  if status == 201 then
    local id = tonumber(string.match(body, '"id":(%d+)'))
    if id and id > acknowledged then acknowledged = id end
  end
end

local categories = {"price", "quality", "delivery", "administrative", "duplicate-invoice"}

function request()
  i = i + 1
  local headers = {["Authorization"] = auth}
  local some = math.random(1, math.max(1, acknowledged))
  if i % 4 == 0 or acknowledged < 400 then
    n = n + stride
    headers["Content-Type"] = "application/json"
    local body = string.format(
      '{"invoices":[{"number":"INV-B%07d","amount":"100.00"}],"category":"%s","channel":"phone",' ..
      '"description":"Pallet damaged on delivery, price wrong"}', n, categories[n % 5 + 1])
    return wrk.format("POST", "/api/v1/disputes", headers, body)
  elseif i % 1000 == 1 then
    return wrk.format("GET", "/api/v1/reports/sla", headers)
  elseif i % 4 == 1 then
    return wrk.format("GET", "/api/v1/disputes/" .. some, headers)
  elseif i % 4 == 2 then
    return wrk.format("GET", "/api/v1/disputes/" .. some .. "/timeline", headers)
  else
    return wrk.format("GET", "/api/v1/disputes?limit=20&cursor=" .. some, headers)
  end
end
