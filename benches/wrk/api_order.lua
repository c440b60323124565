local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"ada@example.com","name":"Ada Lovelace","address":{"line1":"12 Analytical Row","city":"London","postal_code":"N1 9GU","country":"GB"},"items":[{"slug":"french-press","quantity":1}]}'
request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("wrk-%d-%d-%d", tid, counter, os.time())
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil, "/api/orders")
end
