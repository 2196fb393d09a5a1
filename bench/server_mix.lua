-- 90 % dashboard reads, 10 % control creations with ids unique per thread and request.
local token = os.getenv("TOKEN")
local n = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end

function request()
  n = n + 1
  local headers = { ["Authorization"] = "Bearer " .. token }
  if n % 10 == 0 then
    headers["Content-Type"] = "application/json"
    local id = string.format("W%d-%d-%d", thread_id, n, math.random(1, 1000000000))
    local body = '{"id":"' .. id .. '","title":"Load test control"}'
    return wrk.format("POST", "/api/v1/programs/main/controls", headers, body)
  end
  return wrk.format("GET", "/api/v1/programs/main/dashboard", headers, nil)
end

local errors = 0
function response(status, headers, body)
  if status >= 300 then
    errors = errors + 1
    if errors < 5 then print("status " .. status .. ": " .. body) end
  end
end
