local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer test-writer-token-0123456789"
wrk.body = '{"email":"ada@example.com","name":"Ada Lovelace","address":{"line1":"12 Analytical Row","city":"London","postal_code":"N1 9GU","country":"GB"},"items":[{"slug":"french-press","quantity":1}]}'
request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("wrk-%d-%d-%d", tid, counter, os.time())
  return wrk.format(nil, "/orders")
end
