#!/usr/bin/env bash
# Benchmark: the sign-on under a flood of wrong passwords.
#   For BENCH_DURATION (30) seconds, wrk keeps BENCH_CONNECTIONS (256)
#   connections busy posting wrong passwords for random ID numbers to the
#   sign-in form, from 127.0.0.1; meanwhile, once a second, a different real
#   person signs in completely (password, SMS code) from an address of their
#   own, and /healthz is asked every 100 ms from a third address.
# Before the flood it times account recovery for a real and an unknown ID
# number, asked alternately. It prints the flood's rate and answers, the people's sign-ins (all must
# succeed, p99 under 2 s), /healthz throughout, and the server's peak memory
# (goal: under 300 MB) and CPU time.
#
# usage: bench/signin.sh        (after cargo build --release)
# BENCH_DISTRIBUTED=1 models a flood from many addresses: the server's
# per-address limits are lifted, so every guess costs a password check, and
# the people sign in from browsers their accounts know (each signs in once
# before the flood).
# Tunables: BENCH_DURATION=30 BENCH_CONNECTIONS=256 TIMS_BIN=path/to/tims
#   BENCH_PIN=0 (do not pin the server and the generators to separate CPUs)
# Every load phase is bounded in time and stays on the loopback addresses.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/bench/signin
tims_bin=${TIMS_BIN:-$root/target/release/tims}
seconds=${BENCH_DURATION:-30}
conns=${BENCH_CONNECTIONS:-256}
people=$((seconds + 5))

say() { printf '==> %s\n' "$*" >&2; }
[ -x "$tims_bin" ] || { echo "$tims_bin not found: run cargo build --release first" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing wrk"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
  else
    echo "missing: wrk" >&2; exit 1
  fi
fi

# The server on the last CPU, the load generators on the others.
cpus=$(nproc)
if [ "${BENCH_PIN:-1}" = 1 ] && [ "$cpus" -ge 2 ]; then
  server_pin=(taskset -c $((cpus - 1)))
  load_pin=(taskset -c 0-$((cpus - 2)))
else
  server_pin=()
  load_pin=()
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tims-signin-bench.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
say "starting tims (SQLite, demo data) at $base"
if [ "${BENCH_DISTRIBUTED:-0}" = 1 ]; then
  export TIMS_PASSWORDS_PER_SOURCE=1000000000 TIMS_PASSWORD_CHECKS_PER_SOURCE=1000000
  known=(--known)
else
  known=()
fi
TIMS_DATA=$scratch TIMS_LISTEN=127.0.0.1:$port TIMS_PUBLIC_URL=$base RUST_LOG=${RUST_LOG:-warn} \
  "${server_pin[@]}" "$tims_bin" serve >"$scratch/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$scratch/server.log" >&2; exit 1; }
  if python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$base/readyz" 2>/dev/null; then break; fi
  sleep 0.2
done
say "adding $people bench people (bench/registry/load.py)"
python3 "$root/bench/registry/load.py" --sqlite "$scratch/tims.db" --vehicles $((2 * people)) --people "$people" >/dev/null 2>&1

say "timing account recovery for a real and an unknown ID number (40 rounds)"
"${load_pin[@]}" python3 "$here/recovery_timing.py" "$base" 40 >"$scratch/recovery.json"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
# The people start first (with --known each signs in once), then say so.
"${load_pin[@]}" python3 "$here/person.py" "$base" "$server_pid" "$seconds" "$people" "$scratch/ready" "${known[@]}" \
  >"$scratch/person.json" &
person_pid=$!
while [ ! -s "$scratch/ready" ]; do
  kill -0 "$person_pid" 2>/dev/null || { wait "$person_pid"; exit 1; }
  sleep 0.1
done
ticks_before=$(cpu_ticks)
say "flooding for ${seconds}s with $conns connections while a person signs in each second"
"${load_pin[@]}" wrk -t2 -c"$conns" -d"${seconds}s" --timeout 10s -s "$here/flood.lua" "$base" \
  >"$scratch/flood.out" 2>&1 &
wrk_pid=$!
wait "$person_pid"
wait "$wrk_pid" || true
ticks_after=$(cpu_ticks)
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
rss_after_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
hz=$(getconf CLK_TCK)

python3 - "$scratch/flood.out" "$scratch/person.json" "$hwm_kb" "$rss_after_kb" \
  "$((ticks_after - ticks_before))" "$hz" "$scratch/recovery.json" <<'PY'
import json, sys
flood_out, person_file, hwm_kb, rss_kb, ticks, hz, recovery_file = sys.argv[1:]
rec = json.loads(open(recovery_file).read())
flood = json.loads([l for l in open(flood_out) if l.startswith("{")][-1])
person = json.loads(open(person_file).read())
cpu_s = int(ticks) / int(hz)
names = {"200": "200 form again", "422": "422 wrong password", "429": "429 limited", "503": "503 shed"}
print()
print(f"{'flood requests (wrong passwords)':44}{flood['requests']:>12,}  in {flood['seconds']:.1f} s = {flood['requests'] / flood['seconds']:,.0f}/s")
for code, n in sorted(flood["status"].items()):
    print(f"  {names.get(code, code):42}{n:>12,}")
print(f"  {'connection errors and timeouts':42}{flood['errors']:>12,}")
print(f"{'flood latency p50 / p99':44}{flood['p50_ms']:>9.1f} ms / {flood['p99_ms']:.1f} ms")
print(f"{'server CPU time during the flood':44}{cpu_s:>11.1f} s  = {cpu_s * 1e6 / max(1, flood['requests'] + person['sign_ins'] * 4 + person['healthz_asked']):.0f} µs per request")
print(f"{'people signed in / failed':44}{person['sign_ins'] - person['failed']:>12} / {person['failed']}")
for f in person["failures"]:
    print(f"  {f}")
print(f"{'their sign-in p50 / p99 / max':44}{person['p50_ms']:>9.1f} ms / {person['p99_ms']:.1f} ms / {person['max_ms']} ms")
print(f"{'/healthz answered 200':44}{person['healthz_ok']:>12} of {person['healthz_asked']}, slowest {person['healthz_worst_ms']} ms")
print(f"{'recovery start, real / unknown ID, p50':44}{rec['real_p50_ms']:>9.2f} ms / {rec['unknown_p50_ms']:.2f} ms")
print(f"{'recovery start, real / unknown ID, p90':44}{rec['real_p90_ms']:>9.2f} ms / {rec['unknown_p90_ms']:.2f} ms")
print(f"{'recovery answers seen':44}{', '.join(rec['answers'])}")
print(f"{'server peak memory (VmHWM) / after':44}{int(hwm_kb) / 1024:>10.1f}M / {int(rss_kb) / 1024:.1f}M")
print()
goals = [
    ("peak memory under 300 MB", int(hwm_kb) / 1024 < 300),
    ("every person's sign-in succeeds", person["failed"] == 0 and person["sign_ins"] > 0),
    ("their p99 under 2 s", person["p99_ms"] < 2000),
    ("/healthz answers throughout", person["healthz_ok"] == person["healthz_asked"] and person["healthz_asked"] > 0),
    ("recovery answers alike for real and unknown", len(rec["answers"]) == 1),
]
for name, ok in goals:
    print(f"goal: {name:40}{'met' if ok else 'MISSED'}")
PY
