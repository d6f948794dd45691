#!/usr/bin/env bash
# Benchmark: tims's OpenID Connect provider against oidc-provider (npm), on
# this machine, in one run. Measures discovery+JWKS ops/s and complete
# authorization-code flows/s for a signed-in user, then p50/p99 at half of
# each server's peak, and prints the ratios and whether the goals are met.
#
# usage: bench/oidc.sh [--only tims|oidc-provider]
#
# Needs node + npm, and target/release/tims (`cargo build --release`; this
# script builds nothing). Installs wrk with apt-get when it is missing and
# we are root; without wrk the discovery figures come from loadgen.mjs.
#
# Tunables (environment): BENCH_WARMUP=3 BENCH_DURATION=10 (seconds per
# figure), BENCH_CONCURRENCY=32, BENCH_PIN=1 (on ≥2 CPUs: servers on the last
# CPU, load generators on the others; 0 = let the scheduler decide),
# BENCH_STRICT=1 (exit 3 when a goal is missed), BENCH_KEEP=1 (keep the
# scratch dir with server logs), TIMS_BIN=path/to/tims.
# All traffic stays on 127.0.0.1; every load phase is bounded in time.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench/oidc
only=
while [ $# -gt 0 ]; do
  case $1 in
    --only) only=${2:?--only needs tims or oidc-provider}; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done
case $only in ''|tims|oidc-provider) ;; *) echo "--only takes tims or oidc-provider" >&2; exit 2 ;; esac
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

say() { printf '==> %s\n' "$*" >&2; }

command -v node >/dev/null || { echo "node (v20.18 or later) is required" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=18)?0:1)' \
  || { echo "node $(node -v) is too old: v20.18 or later is required (undici 7)" >&2; exit 1; }
tims_bin=${TIMS_BIN:-$root/target/release/tims}
if want tims && [ ! -x "$tims_bin" ]; then
  cat >&2 <<EOF
$tims_bin not found.
Build it first:   cargo build --release
(or measure oidc-provider alone: bench/oidc.sh --only oidc-provider)
EOF
  exit 1
fi

say "installing the benchmark's npm packages (bench/oidc)"
(cd "$bench" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing wrk"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq wrk >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; } \
      || say "could not install wrk; discovery figures will come from loadgen.mjs"
  else
    say "wrk is not installed; discovery figures will come from loadgen.mjs"
  fi
fi

# Pinning keeps the load generators from stealing the servers' CPU (and the
# other way round), and gives both servers the same single core.
ncpu=$(nproc)
server_cpus= load_cpus=
if [ "${BENCH_PIN:-1}" != 0 ] && [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpus=$((ncpu - 1))
  load_cpus=0
  [ "$ncpu" -eq 2 ] || load_cpus=0-$((ncpu - 2))
fi
# An array, not a function, so that $! is the server's own pid (taskset execs).
pin=()
[ -z "$server_cpus" ] || pin=(taskset -c "$server_cpus")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tims-oidc-bench.XXXXXX")
pids=()
cleanup() {
  local pid i
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Give each server 5 s to shut down gracefully, then stop it hard.
  for pid in "${pids[@]}"; do
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
random_secret() { node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))'; }

# Polls url until it answers 200; gives up after 60 s or if pid dies.
wait_ready() {
  local url=$1 pid=$2 name=$3 log=$4 i
  for i in $(seq 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited during start-up; last lines of its log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$url"; then
      return 0
    fi
    sleep 0.2
  done
  echo "$name did not answer $url within 60 s; log: $log" >&2
  tail -n 30 "$log" >&2
  exit 1
}

client_id=bench
redirect_uri=http://127.0.0.1:9/cb
export BENCH_CLIENT_ID=$client_id BENCH_REDIRECT_URI=$redirect_uri

if want oidc-provider; then
  port=$(free_port)
  secret=$(random_secret)
  say "starting oidc-provider on 127.0.0.1:$port"
  NODE_ENV=production BENCH_CLIENT_ID=$client_id BENCH_CLIENT_SECRET=$secret \
    BENCH_REDIRECT_URI=$redirect_uri \
    "${pin[@]}" node "$bench/oidc-provider-server.mjs" "$port" >"$scratch/oidc-provider.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/.well-known/openid-configuration" "$!" oidc-provider \
    "$scratch/oidc-provider.log"
  export OIDC_PROVIDER_ISSUER=http://127.0.0.1:$port OIDC_PROVIDER_SECRET=$secret
fi

if want tims; then
  port=$(free_port)
  data=$scratch/tims-data
  mkdir -p "$data"
  say "registering the bench client with tims"
  client_json=$(TIMS_DATA=$data "$tims_bin" sso client add --id "$client_id" \
    --redirect-uri "$redirect_uri" 2>"$scratch/tims-client.log") \
    || { echo "tims sso client add failed:" >&2; cat "$scratch/tims-client.log" >&2; exit 1; }
  secret=$(printf '%s\n' "$client_json" | node -e '
    let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => {
      const line = s.trim().split("\n").reverse().find((l) => l.trim().startsWith("{"));
      const j = line && JSON.parse(line);
      if (!j || !j.client_secret) { console.error("no client_secret in: " + s); process.exit(1); }
      console.log(j.client_secret);
    });')
  say "starting tims on 127.0.0.1:$port"
  # Request logging off, as on the oidc-provider side.
  TIMS_DATA=$data TIMS_LISTEN=127.0.0.1:$port TIMS_PUBLIC_URL=http://127.0.0.1:$port \
    RUST_LOG=${RUST_LOG:-warn} \
    "${pin[@]}" "$tims_bin" serve >"$scratch/tims.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/sso/.well-known/openid-configuration" "$!" tims "$scratch/tims.log"
  export TIMS_ISSUER=http://127.0.0.1:$port/sso TIMS_SECRET=$secret
fi

say "measuring (about $(( (${BENCH_WARMUP:-3} + ${BENCH_DURATION:-10}) * 5 )) s per server)"
BENCH_LOAD_CPUS=$load_cpus BENCH_SERVER_CPUS=$server_cpus \
  BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$root/bench/results} \
  node "$bench/run.mjs"
