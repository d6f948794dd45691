-- wrk script: wrong passwords for random ID numbers, as fast as wrk can,
-- through the sign-on's HTML sign-in form (with its CSRF double-submit).
-- Counts the answers by status in each thread; `done` prints one JSON line.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  counts = {}
  local csrf = "benchflood" .. id .. "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "__Host-tims_csrf=" .. csrf
  prefix = "csrf=" .. csrf .. "&account_type=citizen&password=wrong+password%21&id_number="
end

function request()
  return wrk.format(nil, "/sso/signin", nil, prefix .. tostring(math.random(10000000, 99999999)))
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%d": %d', k, v)) end
  io.write(string.format('{"requests": %d, "seconds": %.2f, "errors": %d, "p50_ms": %.1f, "p99_ms": %.1f, "status": {%s}}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, table.concat(parts, ", ")))
end
