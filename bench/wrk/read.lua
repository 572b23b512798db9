-- wrk script: GET /api/v1/disputes/{id} for random ids in 1..DISPUTES (all must exist).
-- Needs DISPUTED_KEY (any role) and DISPUTES in the environment.
function init(args)
  max_id = tonumber(os.getenv("DISPUTES"))
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("DISPUTED_KEY")
  math.randomseed(os.time() + (offset or 0))
end

function request()
  return wrk.format("GET", "/api/v1/disputes/" .. math.random(1, max_id))
end
