#!/usr/bin/env bash
# Benchmark: complete transfers per second through the real payment and SMS
# adapters (M-Pesa Daraja, Africa's Talking) against fake gateways that
# answer in --delay-ms (200 ms: the STK push, its callback 200 ms after the
# answer, each SMS), beside the same flow through the development payer and
# SMS sink, in one run on one SQLite database: open, upload the scan,
# seller's code and submission, buyer's code and acceptance (which asks for
# the fee), and the payment's settlement. It prints both rates, their ratio
# (goal: >= 90%), the server's CPU time per transfer (counting the SMS the
# run queued and the server sent after it: the run is not over until the
# outbox is empty), and checks in the database that every payment settled
# exactly once.
#
# Both runs keep BENCH_CONCURRENCY transfers going at once, enough that
# the server's CPU, not the gateways' round trips, bounds the development
# run; the real run then shows whether the gateways' latency costs
# throughput once it is hidden by as many people at once.
#
# usage: bench/gateways.sh            (after cargo build --release)
# Tunables: BENCH_PEOPLE=3000 (transfers per run at most), BENCH_DURATION=20
#   (no transfer starts after this many seconds), BENCH_CONCURRENCY=256,
#   BENCH_DELAY_MS=200, BENCH_PIN=1, BENCH_KEEP=1, TIMS_BIN.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/bench/gateways
tims_bin=${TIMS_BIN:-$root/target/release/tims}
people=${BENCH_PEOPLE:-3000}
duration=${BENCH_DURATION:-20}
concurrency=${BENCH_CONCURRENCY:-256}
delay=${BENCH_DELAY_MS:-200}

# shellcheck source=lib.sh
. "$root/bench/lib.sh"
[ -x "$tims_bin" ] || { echo "$tims_bin not found: run cargo build --release first" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }
say "installing the load generator's npm packages (bench/oidc)"
(cd "$root/bench/oidc" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# The fake gateways run beside the generator, on the generator's CPUs.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tims-gateways-bench.XXXXXX")
server_pid=; fake_pid=
cleanup() {
  for p in $server_pid $fake_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(free_port)
base=http://127.0.0.1:$port
# start_server NAME: tims on $port with the current TIMS_* environment.
start_server() {
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
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
# drained: how many SMS wait in the outboxes when the generator stops, and
# the seconds until none does (at most 60).
drained() {
  python3 - "$TIMS_DATA/tims.db" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10)
left = lambda: db.execute("SELECT (SELECT COUNT(*) FROM reg_outbox WHERE status = 'queued') + "
                          "(SELECT COUNT(*) FROM sso_outbox WHERE status = 'queued')").fetchone()[0]
t0, at_end = time.monotonic(), left()
while left() and time.monotonic() - t0 < 60:
    time.sleep(0.05)
print(json.dumps({"sms_queued_at_end": at_end, "drain_s": round(time.monotonic() - t0, 2), "sms_never_sent": left()}))
PY
}
# transfers MODE FROM: one run of the generator, with the server's CPU per
# transfer up to the moment the outbox is empty.
transfers() {
  local cpu0 out drain
  cpu0=$(server_cpu_ms)
  out=$("${load_pin[@]}" node "$here/run.mjs" --base "$base" --mode "$1" --fake "$fake" --tokens "$scratch/tokens-$1.json" \
    --from "$2" --count "$people" --concurrency "$concurrency" --duration "$duration")
  drain=$(drained)
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.update(json.loads(sys.argv[3])); n=r["transfers"]
r["cpu_ms_per"]=round(int(sys.argv[2])/n,2) if n else -1; print(json.dumps(r))' "$out" $(($(server_cpu_ms) - cpu0)) "$drain"
}

export TIMS_DATA=$scratch/data
unset TIMS_DATABASE_URL TIMS_CRASH_AT
# Every bench person signs in from this one address, and the bench sends
# many SMS a second: lift the per-address and send-rate limits.
export TIMS_PASSWORDS_PER_SOURCE=1000000000 TIMS_PASSWORD_CHECKS_PER_SOURCE=1000000
export TIMS_SMS_PER_SOURCE=1000000000 TIMS_SMS_PER_MINUTE=1000000000
export TIMS_SMS_SENDS_PER_SECOND=1000000 TIMS_SMS_SENDS_PER_NUMBER_PER_MINUTE=1000000 TIMS_SMS_SENDS_IN_FLIGHT=256

fake_port=$(free_port)
fake=http://127.0.0.1:$fake_port
"${load_pin[@]}" node "$here/fake.mjs" --port "$fake_port" --delay-ms "$delay" 2>"$scratch/fake.log" &
fake_pid=$!

say "creating the database, demo data and $((2 * people)) bench people"
secret=$("$tims_bin" sso client add --id tims-api --redirect-uri http://127.0.0.1:9/cb 2>"$scratch/client.log" \
  | python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["client_secret"])')
start_server dev
python3 "$root/bench/registry/load.py" --sqlite "$TIMS_DATA/tims.db" --vehicles $((4 * people)) --people $((2 * people)) \
  --owners 10 2>"$scratch/load.log"
say "signing the bench people in (development SMS sink)"
for m in dev:0 real:$people; do
  "${load_pin[@]}" node "$here/run.mjs" --sign-in --base "$base" --secret "$secret" --from "${m#*:}" --count "$people" \
    --tokens-out "$scratch/tokens-${m%%:*}.json"
done

say "development payer and SMS sink: transfers for ${duration}s ($concurrency workers)"
dev_run=$(transfers dev 0)
stop_server

say "M-Pesa and Africa's Talking adapters, gateways answering in $delay ms: transfers for ${duration}s"
export TIMS_MPESA_BASE_URL=$fake TIMS_MPESA_SHORTCODE=174379 TIMS_MPESA_PASSKEY=bench-passkey
export TIMS_MPESA_CONSUMER_KEY=bench-key TIMS_MPESA_CONSUMER_SECRET=bench-secret
export TIMS_AFRICASTALKING_URL=$fake TIMS_AFRICASTALKING_USERNAME=sandbox TIMS_AFRICASTALKING_API_KEY=bench-api-key
start_server real
real_run=$(transfers real "$people")
stop_server
stats=$(curl -s "$fake/stats.json")

python3 - "$dev_run" "$real_run" "$stats" "$TIMS_DATA/tims.db" "$delay" <<'PY'
import json, sqlite3, sys
dev, real, stats = (json.loads(a) for a in sys.argv[1:4])
db = sqlite3.connect(sys.argv[4])
q = lambda sql: db.execute(sql).fetchone()[0]
print(f"\ngateways benchmark: one server on one CPU, generator and fake gateways on the other; gateways answer in {sys.argv[5]} ms\n")
print(f"{'':40}{'steady/s':>10}{'whole/s':>10}{'p50 (ms)':>10}{'p99 (ms)':>10}{'server CPU':>16}")
for name, r in (("development payer and SMS sink", dev), ("M-Pesa and Africa's Talking", real)):
    print(f"{name:40}{r['steady_per_s']:>10.2f}{r['transfers_per_s']:>10.2f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}"
          f"{r['cpu_ms_per']:>11.2f} ms/tr"
          f"   ({r['transfers']} done, {r['failed']} failed, {r['seconds']} s; "
          f"steady for {r['steady_s']} s; {r['sms_queued_at_end']} SMS queued at the end, sent within {r['drain_s']} s)")
ratio = real["steady_per_s"] / dev["steady_per_s"] if dev["steady_per_s"] else 0
whole = real["transfers_per_s"] / dev["transfers_per_s"] if dev["transfers_per_s"] else 0
print(f"\nratio real/development, steady: {ratio * 100:.1f}%  [{'met ' if ratio >= 0.9 else 'MISS'}] goal >= 90%"
      f"   (whole runs, with filling and draining: {whole * 100:.1f}%)")
print(f"fake gateways: {json.dumps(stats)}")
# Exactly once: every transfer past the payment has one settled attempt, a
# settled payment, and one 'payment received' SMS; none waits with one paid.
paid = q("SELECT COUNT(*) FROM reg_transfers WHERE state = 'in_review'")
# The "payment received" SMS per transfer, counted in one pass.
import collections, re
told = collections.Counter(m.group(1) for (body,) in db.execute("SELECT body FROM reg_outbox WHERE body LIKE '%received%'")
                           for m in [re.search(r"transfer (TR-[0-9A-Z]{5}-[0-9A-Z]{5}) received", body)] if m)
refs = [r for (r,) in db.execute("""SELECT t.reference FROM reg_transfers t WHERE t.state = 'in_review' AND (
  (SELECT COUNT(*) FROM reg_payment_attempts a WHERE a.transfer_id = t.id AND a.state = 'settled') != 1
  OR (SELECT COUNT(*) FROM reg_payments p WHERE p.transfer_id = t.id AND p.state = 'settled') != 1)""")]
paid_refs = [r for (r,) in db.execute("SELECT reference FROM reg_transfers WHERE state = 'in_review'")]
bad = len(refs) + sum(1 for r in paid_refs if told[r] != 1)
stuck = q("""SELECT COUNT(*) FROM reg_transfers t WHERE t.state = 'awaiting_payment' AND EXISTS (
  SELECT 1 FROM reg_payment_attempts a WHERE a.transfer_id = t.id AND a.state IN ('settled', 'flagged'))""")
mpesa = q("SELECT COUNT(*) FROM reg_payment_attempts WHERE provider = 'mpesa' AND state = 'settled'")
flagged = q("SELECT COUNT(*) FROM reg_payment_attempts WHERE state = 'flagged'")
unsent = q("SELECT COUNT(*) FROM reg_outbox WHERE status != 'sent'")
ok = bad == 0 and stuck == 0 and flagged == 0 and mpesa == stats["callbacks_taken"] == stats["prompts"]
print(f"database: {paid} transfers paid; {bad} not settled exactly once; {stuck} stuck awaiting payment with a paid attempt; "
      f"{flagged} flagged; M-Pesa settled attempts {mpesa} = callbacks taken {stats['callbacks_taken']} = prompts {stats['prompts']}; "
      f"{unsent} SMS not sent")
print(f"  [{'met ' if ok else 'MISS'}] every payment settled exactly once")
sys.exit(0 if ok else 4)
PY
