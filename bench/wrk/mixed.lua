-- wrk script for the soak test: one request in four registers a dispute on a new invoice; the
-- others read what was registered before (a dispute, its timeline, a page of the list) and,
-- once in a thousand, run the SLA report. Needs DISPUTED_KEY (a controller key) and WRK_THREADS;
-- optional DISPUTES (disputes 1..DISPUTES exist already) and START (the new registrations take
-- the invoices after INV-B<START>), both 0 by default.
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
  auth = "Bearer " .. os.getenv("DISPUTED_KEY")
  math.randomseed(os.time() + offset)
end

local categories = {"price", "quality", "delivery", "administrative", "duplicate-invoice"}

function request()
  i = i + 1
  local headers = {["Authorization"] = auth}
  -- Disputes 1..existing+(n-start)-2000 exist: invoice numbers and dispute ids advance together
  -- (the other wrk thread may lag behind, and on a busy machine a registration answers seconds
  -- after it was sent: a margin of 200 gave 404s for ids not yet committed).
  local known = existing + n - start
  local some = math.random(1, math.max(1, known - 2000))
  if i % 4 == 0 or known < 400 then
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
