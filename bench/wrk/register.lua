-- wrk script: POST /api/v1/disputes, every request on an invoice of its own (INV-B0000001, ...),
-- spread over the five shipped categories, so every registration is valid and succeeds.
-- Needs DISPUTED_KEY (a controller key) and WRK_THREADS (wrk's -t) in the environment.
local threads = {}

function setup(thread)
  thread:set("offset", #threads + 1)
  table.insert(threads, thread)
end

local categories = {"price", "quality", "delivery", "administrative", "duplicate-invoice"}

function init(args)
  stride = tonumber(os.getenv("WRK_THREADS") or "2")
  n = offset - stride
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("DISPUTED_KEY")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  n = n + stride
  local body = string.format(
    '{"invoices":[{"number":"INV-B%07d","amount":"100.00"}],"category":"%s","channel":"email",' ..
    '"description":"Invoiced list price instead of the contract price","contact":{"name":"Bench"}}',
    n, categories[n % 5 + 1])
  return wrk.format("POST", nil, nil, body)
end
