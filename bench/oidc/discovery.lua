-- wrk script: alternate GET <discovery path> and GET <jwks path> on every
-- connection, so one "op" = one discovery fetch + one JWKS fetch, and
-- ops/s = requests/s / 2. Prints a JSON summary line on stdout at the end.
--   wrk ... -s discovery.lua http://127.0.0.1:PORT -- /disc/path /jwks/path

local paths = {}
local n = 0

function init(args)
  paths[1] = args[1]
  paths[2] = args[2]
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % 2) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"non_2xx_3xx":%d,"req_p50_us":%d,"req_p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
