#!/usr/bin/env bash
# Benchmark: the registry on this machine, in one run.
#   (a) registration-number inquiries per second over the API, against
#       1,000,000 vehicles in SQLite, beside the same server's /healthz rate
#       (the ceiling of the HTTP stack); then p50/p99 of each at half its peak;
#   (b) complete transfers per second (every step of the seed's flow, each a
#       durable commit) on SQLite and on PostgreSQL, beside the raw rate of
#       single-row durable commits on the same database in the same run;
#   (c) the server's peak memory (VmHWM).
# It prints the figures and the goals: inquiries >= 50% of /healthz with p99
# under 10 ms, >= 100 complete transfers/s on SQLite, peak memory < 200 MB.
#
# usage: bench/registry.sh            (after cargo build --release)
# Tunables: BENCH_VEHICLES=1000000 BENCH_PEOPLE=1500 (transfers per database)
#   BENCH_DURATION=10 BENCH_WARMUP=2 (seconds per rate figure)
#   BENCH_CONCURRENCY=32 (transfer workers) BENCH_POSTGRES_URL (admin URL;
#   default postgres://postgres@127.0.0.1:5432/test; BENCH_POSTGRES=0 skips)
#   TIMS_BIN=path/to/tims BENCH_KEEP=1 (keep the scratch directory)
#   BENCH_SUMMARY=path (also write the figures there as JSON)
#   BENCH_PIN=1 (on >= 2 CPUs: the server on the last CPU, wrk and node on
#   the others; 0 = let the scheduler decide)
# Every load phase is bounded in time and stays on 127.0.0.1.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/bench/registry
tims_bin=${TIMS_BIN:-$root/target/release/tims}
vehicles=${BENCH_VEHICLES:-1000000}
people=${BENCH_PEOPLE:-1500}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
concurrency=${BENCH_CONCURRENCY:-32}
pg_admin=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}

# shellcheck source=lib.sh
. "$root/bench/lib.sh"
[ -x "$tims_bin" ] || { echo "$tims_bin not found: run cargo build --release first" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v psql >/dev/null || need_apt+=(postgresql-client)
command -v pgbench >/dev/null || need_apt+=(postgresql-contrib)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need_apt[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${need_apt[@]}" >/dev/null; }
  else
    echo "missing: ${need_apt[*]}" >&2; exit 1
  fi
fi
say "installing the load generator's npm packages (bench/oidc)"
(cd "$root/bench/oidc" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tims-registry-bench.XXXXXX")
server_pid=
pg_db=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# start_server NAME: starts tims on a free port with the current TIMS_* env.
start_server() {
  port=$(free_port)
  base=http://127.0.0.1:$port
  TIMS_LISTEN=127.0.0.1:$port TIMS_PUBLIC_URL=$base RUST_LOG=${RUST_LOG:-warn} \
    "${srv_pin[@]}" "$tims_bin" serve >"$scratch/$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$scratch/$1.log" >&2; exit 1; }
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$base/readyz"; then return 0; fi
    sleep 0.2
  done
  echo "tims did not start" >&2; exit 1
}
stop_server() {
  [ -n "$server_pid" ] || return 0
  peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}
add_client() {
  "$tims_bin" sso client add --id tims-api --redirect-uri http://127.0.0.1:9/cb 2>"$scratch/client.log" \
    | python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["client_secret"])'
}
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }

# wrk_rate MODE RATE: one measurement; RATE 0 = closed-loop peak. Adds the
# server's CPU time per request over the whole run (warm-up included, as
# wrk's request count is).
wrk_rate() {
  local mode=$1 rate=$2 t c cpu0 out
  if [ "$rate" = 0 ]; then t=2; c=64; open=0; else t=16; c=16; open=1; fi
  cpu0=$(server_cpu_ms)
  out=$(BENCH_OPEN_LOOP=$open BENCH_TOKEN=$token "${load_pin[@]}" wrk -t$t -c$c -d$((warmup + duration + 1))s --timeout 5s \
    -s "$here/get.lua" "$base" -- "$mode" "$rate" "$warmup" "$duration" "$c" "$vehicles" 2>/dev/null | tail -1)
  with_cpu "$out" $(($(server_cpu_ms) - cpu0)) requests
}
# with_cpu JSON CPU_MS FIELD: JSON plus the server's CPU microseconds per FIELD.
with_cpu() {
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); n=r.get(sys.argv[3]) or 0
r["cpu_us_per"]=round(int(sys.argv[2])*1000/n,1) if n else -1; print(json.dumps(r))' "$1" "$2" "$3"
}
# transfers ARGS…: the transfer generator, pinned, with the server's CPU per transfer.
transfers() {
  local cpu0 out
  cpu0=$(server_cpu_ms)
  out=$("${load_pin[@]}" node "$here/transfers.mjs" --base "$base" --secret="$secret" "$@")
  with_cpu "$out" $(($(server_cpu_ms) - cpu0)) transfers
}

# Every bench person signs in from this one address: lift the sign-on's
# per-address limits (they stand for many phones on many networks here).
# The per-phone code budgets stay as they are.
export TIMS_PASSWORDS_PER_SOURCE=1000000000 TIMS_PASSWORD_CHECKS_PER_SOURCE=1000000
export TIMS_SMS_PER_SOURCE=1000000000 TIMS_SMS_PER_MINUTE=1000000000

results=$scratch/results.txt
: >"$results"

# ---- SQLite ------------------------------------------------------------------
say "SQLite: creating the database and demo data"
export TIMS_DATA=$scratch/sqlite
unset TIMS_DATABASE_URL
secret=$(add_client)
start_server sqlite
say "SQLite: loading $vehicles vehicles and $people bench people (load.py)"
python3 "$here/load.py" --sqlite "$TIMS_DATA/tims.db" --vehicles "$vehicles" --people "$people" 2>>"$results"
db_mb=$(du -m "$TIMS_DATA/tims.db" | cut -f1)
token=$(node "$here/transfers.mjs" --base "$base" --secret="$secret" --token-for 12345678:+254712345678)
check=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "$base/api/v1/vehicles/KEA%20123A")
[ "$check" = 200 ] || { echo "inquiry check answered $check" >&2; exit 1; }

say "SQLite: /healthz peak, then inquiry peak (wrk, 64 connections, ${duration}s each)"
h_peak=$(wrk_rate healthz 0); i_peak=$(wrk_rate inquiry 0)
h_rps=$(json "$h_peak" '["rps"]'); i_rps=$(json "$i_peak" '["rps"]')
say "  /healthz $h_rps/s, inquiry $i_rps/s; now each at half its peak (open loop)"
h_half=$(wrk_rate healthz "$(python3 -c "print(int($h_rps/2))")")
i_half=$(wrk_rate inquiry "$(python3 -c "print(int($i_rps/2))")")
say "SQLite: $people complete transfers ($concurrency workers)"
tr_sqlite=$(transfers --people "$people" --concurrency "$concurrency")
stop_server
sqlite_peak_kb=$peak_kb
say "SQLite: raw single-row durable commits on the same database"
raw_sqlite=$(python3 - "$TIMS_DATA/tims.db" <<'EOF'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode = WAL"); db.execute("PRAGMA synchronous = FULL")
db.execute("CREATE TABLE IF NOT EXISTS bench_raw_commits (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
n, t = 0, time.time()
while time.time() - t < 5:
    db.execute("BEGIN IMMEDIATE"); db.execute("INSERT INTO bench_raw_commits (v) VALUES (?)", ("x" * 64,)); db.execute("COMMIT")
    n += 1
d = time.time() - t
db.execute("DROP TABLE bench_raw_commits")
print(f"{n / d:.1f}")
EOF
)

# ---- PostgreSQL --------------------------------------------------------------
tr_pg='{"skipped":true}'; raw_pg=-
if [ "${BENCH_POSTGRES:-1}" != 0 ] && psql "$pg_admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  pg_db=tims_bench_$(date +%s)
  psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
  export TIMS_DATABASE_URL=${pg_admin%/*}/$pg_db
  export TIMS_DATA=$scratch/pg
  say "PostgreSQL: creating the database, demo data and $people bench people"
  secret=$(add_client)
  start_server postgres
  hash=$(psql "$TIMS_DATABASE_URL" -qAtc "SELECT password_hash FROM sso_accounts WHERE id_number = '12345678'")
  python3 "$here/load.py" --sql --vehicles $((2 * people)) --people "$people" --password-hash "$hash" 2>>"$results" \
    | psql "$TIMS_DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null
  say "PostgreSQL: $people complete transfers ($concurrency workers)"
  tr_pg=$(transfers --people "$people" --concurrency "$concurrency")
  stop_server
  say "PostgreSQL: raw single-row durable commits ($concurrency clients, pgbench)"
  psql "$TIMS_DATABASE_URL" -qc "CREATE TABLE bench_raw_commits (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)" >/dev/null
  echo "INSERT INTO bench_raw_commits (v) VALUES ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');" >"$scratch/insert.sql"
  raw_pg=$(pgbench -n -c "$concurrency" -j 2 -T 5 -f "$scratch/insert.sql" "$TIMS_DATABASE_URL" 2>/dev/null \
    | awk '/^tps/ {printf "%.1f", $3}')
elif [ "${BENCH_POSTGRES:-1}" = 0 ]; then
  say "PostgreSQL half skipped (BENCH_POSTGRES=0)"
else
  say "PostgreSQL does not answer at $pg_admin: its half is skipped"
fi

python3 - "$h_peak" "$i_peak" "$h_half" "$i_half" "$tr_sqlite" "$tr_pg" "$raw_sqlite" "$raw_pg" "$sqlite_peak_kb" "$vehicles" "$db_mb" <<'EOF'
import json, sys
hp, ip, hh, ih, ts, tp = (json.loads(a) for a in sys.argv[1:7])
raw_s, raw_p, peak_kb, vehicles, db_mb = sys.argv[7], sys.argv[8], int(sys.argv[9]), int(sys.argv[10]), sys.argv[11]
ratio = ip["rps"] / hp["rps"]
print(f"\nregistry benchmark: {vehicles:,} vehicles in SQLite ({db_mb} MB), one server, wrk and node on the same machine\n")
print(f"{'':44}{'rate':>12}{'p50 (ms)':>10}{'p99 (ms)':>10}{'server CPU':>14}")
print(f"{'/healthz peak (req/s)':44}{hp['rps']:>12,.0f}{'':20}{hp['cpu_us_per']:>10.1f} µs")
print(f"{'inquiry peak (req/s)':44}{ip['rps']:>12,.0f}{'':20}{ip['cpu_us_per']:>10.1f} µs")
print(f"{'/healthz at half its peak':44}{hh['rps']:>12,.0f}{hh['p50_ms']:>10.2f}{hh['p99_ms']:>10.2f}")
print(f"{'inquiry at half its peak':44}{ih['rps']:>12,.0f}{ih['p50_ms']:>10.2f}{ih['p99_ms']:>10.2f}")
for name, t, raw in (("SQLite", ts, raw_s), ("PostgreSQL", tp, raw_p)):
    if t.get("skipped"):
        print(f"complete transfers on {name}: skipped"); continue
    print(f"{'complete transfers/s on ' + name:44}{t['transfers_per_s']:>12,.1f}{t['p50_ms']:>10.1f}{t['p99_ms']:>10.1f}"
          f"{t['cpu_us_per'] / 1000:>10.1f} ms   ({t['transfers']} done, {t['failed']} failed)")
    print(f"{'  raw single-row durable commits/s, ' + name:44}{float(raw):>12,.1f}")
print(f"{'server peak memory (VmHWM), SQLite run':44}{peak_kb / 1024:>11.1f}M")
bad = hp["bad_status"] + ip["bad_status"] + hh["bad_status"] + ih["bad_status"]
if bad:
    print(f"\nWARNING: {bad} answers were not 200")
print("\ngoals:")
def goal(ok, text): print(f"  [{'met ' if ok else 'MISS'}] {text}")
goal(ratio >= 0.5, f"inquiries >= 50% of the /healthz rate: {ratio * 100:.1f}%")
goal(0 <= ih["p99_ms"] < 10, f"inquiry p99 at half peak < 10 ms: {ih['p99_ms']:.2f} ms")
goal(not ts.get("skipped") and ts["transfers_per_s"] >= 100, f"complete transfers on SQLite >= 100/s: {ts.get('transfers_per_s')}")
goal(peak_kb / 1024 < 200, f"server peak memory < 200 MB: {peak_kb / 1024:.1f} MB")
import os
if os.environ.get("BENCH_SUMMARY"):
    with open(os.environ["BENCH_SUMMARY"], "w") as f:
        json.dump({"healthz": hp, "inquiry": ip, "transfers_sqlite": ts, "transfers_postgres": tp}, f)
EOF
cat "$results" >&2
