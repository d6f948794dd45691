-- wrk script: discovery + JWKS ops at a fixed total rate (open loop), with
-- each op's latency counted from its scheduled start, not from when it
-- was sent, so a server that stalls cannot hide the queue it builds
-- (plain wrk would: it measures from the send).
--
-- Run with one connection per thread (-t N -c N): wrk's Lua callbacks do not
-- say which connection they are for, so one connection per Lua state is
-- what lets delay() → request() → response() be matched up.
--   wrk -t N -c N -d <warmup+duration+1>s -s discovery-rate.lua URL -- \
--       /disc/path /jwks/path <ops per second> <warmup s> <duration s>
-- One op = GET discovery, then GET JWKS on the same connection. Prints a
-- JSON summary line on stdout.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC, shared by all threads
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

-- Main Lua state: hand every thread its index and the common start time.
local threads = {}
local start_at
function setup(thread)
  start_at = start_at or (now_us() + 200000)
  table.insert(threads, thread)
  thread:set("id", #threads)
  thread:set("t0", start_at)
end

-- Thread Lua states below.
local disc, jwks, period, offset, measure_from, measure_to
local k = 0        -- ops scheduled so far on this connection
local slot         -- scheduled start of the current op (µs)
local slotted = false -- delay() has already picked the slot of the next op
local op_start     -- min(slot, actual send): sends may be up to 1 ms early
local phase = 0    -- 0: next request starts an op (discovery); 1: JWKS
lat = {}           -- latencies (µs) of ops scheduled in the measured window
bad = 0            -- non-200 answers
late = 0           -- ops that started more than 1 ms after their slot

function init(args)
  disc, jwks = args[1], args[2]
  local rate, warmup, duration = tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  local conns = tonumber(args[6])
  period = conns * 1e6 / rate               -- per connection
  offset = (id - 1) * period / conns        -- staggers connections evenly
  measure_from = t0 + warmup * 1e6
  measure_to = measure_from + duration * 1e6
end

local function next_slot()
  slot = t0 + offset + k * period
  k = k + 1
end

function delay()
  if phase == 1 then return 0 end
  next_slot()
  slotted = true
  if slot >= measure_to then return 60000 end -- done: idle until wrk stops
  local ms = (slot - now_us()) / 1000
  if ms < 1 then return 0 end
  return math.floor(ms)
end

function request()
  if phase == 0 then
    -- wrk sends a connection's first request without asking delay().
    if not slotted then next_slot() end
    slotted = false
    local t = now_us()
    if t - slot > 1000 then late = late + 1 end
    op_start = math.min(t, slot)
    return wrk.format("GET", disc)
  end
  return wrk.format("GET", jwks)
end

function response(status)
  if status ~= 200 then bad = bad + 1 end
  if phase == 0 then
    phase = 1
    return
  end
  phase = 0
  if slot >= measure_from and slot < measure_to then
    lat[#lat + 1] = now_us() - op_start
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
  table.sort(all)
  local function pct(p)
    if #all == 0 then return -1 end
    local i = math.max(1, math.ceil(p / 100 * #all))
    return all[i] / 1000
  end
  local e = summary.errors
  io.write(string.format(
    '{"ops":%d,"bad_status":%d,"late_starts":%d,"socket_errors":%d,"timeouts":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    #all, bad_total, late_total, e.connect + e.read + e.write, e.timeout,
    pct(50), pct(90), pct(99), pct(100)))
end
