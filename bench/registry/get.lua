-- wrk script: GET requests, closed loop (wrk's own pacing) or open loop at a
-- fixed total rate with each request's latency counted from its scheduled
-- start (so a server that stalls is charged for the queue it builds).
--
--   wrk -t T -c C -d D -s get.lua URL -- <mode> <rate> <warmup s> <duration s> <conns> [<n>]
-- mode: "healthz" (GET /healthz) or "inquiry" (GET /api/v1/vehicles/<random
-- registration number among the first n loaded by load.py>, with the
-- Authorization header from the BENCH_TOKEN environment variable).
-- rate 0 = closed loop (wrk's own figures are used). Open loop needs one
-- connection per thread (-t N -c N). Prints a JSON line.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
local start_at
function setup(thread)
  start_at = start_at or (now_us() + 200000)
  table.insert(threads, thread)
  thread:set("id", #threads)
  thread:set("t0", start_at)
end

local L = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
local function reg_no(n)
  n = n + 4 * 26 * 26 * 1000
  local digits = n % 1000
  n = math.floor(n / 1000)
  local last = n % 26
  n = math.floor(n / 26)
  local second = n % 26
  local first = math.floor(n / 26)
  return string.format("K%s%s%%20%03d%s", L:sub(first + 1, first + 1), L:sub(second + 1, second + 1), digits,
    L:sub(last + 1, last + 1))
end

local mode, rate, period, offset, measure_from, measure_to, n_loaded
local k = 0
local slot
local slotted = false
local op_start
local token
lat = {}
bad = 0
late = 0

-- The load generator shares the machine with the server, so each thread
-- formats its requests once, at start: inquiries for registration numbers
-- drawn at random from all loaded vehicles, sent in turn. (Building each
-- request anew cost wrk more CPU per request than the server's read.) A
-- closed-loop thread takes 16,384; an open-loop one (16 threads) 1,024, so
-- that all are ready well before the first scheduled request.
local requests
local next_request = 0

local function prepare()
  if mode == "healthz" then
    requests = { wrk.format("GET", "/healthz") }
    return
  end
  requests = {}
  local headers = { ["Authorization"] = "Bearer " .. token }
  for i = 1, (rate > 0 and 1024 or 16384) do
    requests[i] = wrk.format("GET", "/api/v1/vehicles/" .. reg_no(math.random(0, n_loaded - 1)), headers)
  end
end

local function req()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function init(args)
  mode = args[1]
  rate = tonumber(args[2])
  local warmup, duration, conns = tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  n_loaded = tonumber(args[6] or "1")
  token = os.getenv("BENCH_TOKEN") or ""
  math.randomseed(id * 7919 + os.time())
  if rate > 0 then
    period = conns * 1e6 / rate
    offset = (id - 1) * period / conns
    measure_from = t0 + warmup * 1e6
    measure_to = measure_from + duration * 1e6
  end
  prepare()
end

function delay()
  if rate == 0 then return 0 end
  slot = t0 + offset + k * period
  k = k + 1
  slotted = true
  if slot >= measure_to then return 60000 end
  local ms = (slot - now_us()) / 1000
  if ms < 1 then return 0 end
  return math.floor(ms)
end

function request()
  if rate > 0 then
    if not slotted then
      slot = t0 + offset + k * period
      k = k + 1
    end
    slotted = false
    local t = now_us()
    if t - slot > 1000 then late = late + 1 end
    op_start = math.min(t, slot)
  end
  return req()
end

-- wrk hands every response to Lua (a table of its headers and its body)
-- only when the script defines `response`, which costs the load generator
-- more CPU per request than a cheap server spends: closed-loop runs leave
-- it out (BENCH_OPEN_LOOP unset) and count bad answers from wrk's summary
-- (non-2xx/3xx statuses).
if os.getenv("BENCH_OPEN_LOOP") == "1" then
  function response(status)
    if status ~= 200 then bad = bad + 1 end
    if slot >= measure_from and slot < measure_to then
      lat[#lat + 1] = now_us() - op_start
    end
  end
end

function done(summary, latency, requests)
  local all = {}
  local bad_total, late_total = 0, 0
  for _, thread in ipairs(threads) do
    for _, v in ipairs(thread:get("lat")) do all[#all + 1] = v end
    bad_total = bad_total + thread:get("bad")
    late_total = late_total + thread:get("late")
  end
  local e = summary.errors
  if os.getenv("BENCH_OPEN_LOOP") ~= "1" then bad_total = e.status end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return -1 end
    return all[math.max(1, math.ceil(p / 100 * #all))] / 1000
  end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"bad_status":%d,"late_starts":%d,"socket_errors":%d,' ..
    '"measured":%d,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), bad_total, late_total,
    e.connect + e.read + e.write + e.timeout, #all, pct(50), pct(99), pct(100)))
end
