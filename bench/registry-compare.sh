#!/usr/bin/env bash
# Compare two builds of tims on the registry benchmark, in one run:
#   bench/registry-compare.sh BASE_BIN NEW_BIN [ROUNDS]
# runs bench/registry.sh for each binary in turn (A B A B …, ROUNDS times,
# default 2), so that both see the same machine at the same time of day,
# and prints each figure per build (the best of its rounds and every round)
# and NEW/BASE. The BENCH_* settings of registry.sh apply to every run.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base_bin=${1:?usage: registry-compare.sh BASE_BIN NEW_BIN [ROUNDS]}
new_bin=${2:?usage: registry-compare.sh BASE_BIN NEW_BIN [ROUNDS]}
rounds=${3:-2}
out=$(mktemp -d "${TMPDIR:-/tmp}/tims-registry-compare.XXXXXX")
for r in $(seq "$rounds"); do
  for which in base new; do
    bin=$base_bin; [ "$which" = new ] && bin=$new_bin
    printf '==> round %s of %s: %s (%s)\n' "$r" "$rounds" "$which" "$bin" >&2
    TIMS_BIN=$bin BENCH_SUMMARY=$out/$which-$r.json "$here/registry.sh" >"$out/$which-$r.txt"
  done
done
python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
runs = {w: [json.load(open(f"{out}/{w}-{r}.json")) for r in range(1, rounds + 1)] for w in ("base", "new")}
figures = [
    ("/healthz peak (req/s)", "healthz", "rps"),
    ("inquiry peak (req/s)", "inquiry", "rps"),
    ("inquiry server CPU (µs/req)", "inquiry", "cpu_us_per"),
    ("complete transfers/s, SQLite", "transfers_sqlite", "transfers_per_s"),
    ("transfer server CPU (ms), SQLite", "transfers_sqlite", "cpu_us_per"),
    ("complete transfers/s, PostgreSQL", "transfers_postgres", "transfers_per_s"),
    ("transfer server CPU (ms), PostgreSQL", "transfers_postgres", "cpu_us_per"),
]
print(f"{'':38}{'base':>10}{'new':>10}{'new/base':>10}   rounds (base | new)")
for label, part, key in figures:
    vals = {w: [r[part].get(key) for r in runs[w]] for w in runs}
    if any(v is None for w in vals for v in vals[w]):
        print(f"{label:38}{'skipped':>10}"); continue
    scale = 1000 if key == "cpu_us_per" and part.startswith("transfers") else 1
    vals = {w: [v / scale for v in vals[w]] for w in vals}
    lower_is_better = key == "cpu_us_per"
    best = {w: (min if lower_is_better else max)(vals[w]) for w in vals}
    ratio = best["new"] / best["base"] if best["base"] else float("nan")
    rounds_s = " ".join(f"{v:,.1f}" for v in vals["base"]) + " | " + " ".join(f"{v:,.1f}" for v in vals["new"])
    print(f"{label:38}{best['base']:>10,.1f}{best['new']:>10,.1f}{ratio:>10.3f}   {rounds_s}")
print(f"\nfull reports: {out}")
PY
