-- wrk script: rotates through a pool of pre-signed requests (see pool.mjs) and prints one JSON summary.
-- Usage: wrk -t T -c C -d D -s wrk.lua URL -- POOL_FILE T
-- Each thread keeps every T-th line, so no two threads send the same item.add key. Requests are formatted
-- once in init(), so request() costs a table lookup and the load generator stays far ahead of the server.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local pool = {}
local index = 0
wraps = 0

function init(args)
  local file, thread_count = args[1], tonumber(args[2] or "1")
  local line_no = 0
  for line in io.lines(file) do
    if line_no % thread_count == id then
      local first = line:find(" ", 1, true)
      local second = line:find(" ", first + 1, true)
      pool[#pool + 1] = wrk.format("POST", wrk.path, {
        ["Content-Type"] = "application/json",
        ["User-Agent"] = "Aghanim/0.1.0",
        ["X-Aghanim-Signature"] = line:sub(1, first - 1),
        ["X-Aghanim-Signature-Timestamp"] = line:sub(first + 1, second - 1),
      }, line:sub(second + 1))
    end
    line_no = line_no + 1
  end
  if #pool == 0 then error("empty request pool: " .. file) end
end

function request()
  index = index + 1
  if index > #pool then
    index = 1
    wraps = wraps + 1
  end
  return pool[index]
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do wrapped = wrapped + (thread:get("wraps") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"wraps":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout, wrapped))
end
