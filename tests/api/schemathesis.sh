#!/usr/bin/env bash
# Checks the JSON API against its own OpenAPI document with schemathesis:
# every check (`--checks all`), with a fixed seed and a few examples per
# operation, bounded in time. It fails on any 5xx, on any answer the
# document does not describe, and on any other finding that
# schemathesis-known.txt (beside this script) does not explain.
#
#   tests/api/schemathesis.sh BASE_URL ACCESS_TOKEN
#
# BASE_URL is a running tims (e.g. http://127.0.0.1:8080) and ACCESS_TOKEN
# one of its sign-on's access tokens for an API client; the integration test
# crates/tims/tests/api_schemathesis.rs starts the app and gets one. scripts/test
# installs schemathesis into target/test-venv; SCHEMATHESIS names another, and
# SCHEMATHESIS_SEED, SCHEMATHESIS_MAX_EXAMPLES change the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base="${1:?BASE_URL}"
token="${2:?ACCESS_TOKEN}"
st="${SCHEMATHESIS:-$root/target/test-venv/bin/schemathesis}"
python="$(dirname "$st")/python3"
[ -x "$python" ] || python=python3
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# schemathesis exits 1 when it finds anything; what counts is decided below.
# It runs in the scratch folder, where it keeps its cache.
cd "$out"
set +e
timeout 240 "$st" run "$base/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-10}" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --workers 1 \
  --request-timeout 30 \
  --generation-database none \
  --report json --report-json-path "$out/report.json" \
  --no-color
status=$?
set -e
if [ "$status" -gt 1 ] || [ ! -s "$out/report.json" ]; then
  echo "schemathesis: FAILED: the run did not complete (exit status $status)" >&2
  exit 1
fi

"$python" - "$out/report.json" "$here/schemathesis-known.txt" <<'PY'
import json, sys

report = json.load(open(sys.argv[1]))
# What the known list may never excuse: a 5xx, or an answer the document
# does not describe.
NEVER = {"ServerError", "JsonSchemaError", "UndefinedStatusCode", "UndefinedContentType", "MissingContentType",
         "MissingHeaders", "MalformedJson", "MalformedMediaType", "ContentDeserializationError",
         "DiscriminatorMismatch"}
known = {}
for n, line in enumerate(open(sys.argv[2]), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    finding, sep, reason = line.partition("|")
    parts = finding.split()
    if not sep or not reason.strip() or len(parts) != 3:
        sys.exit(f"schemathesis-known.txt:{n}: write `CODE METHOD PATH | reason`, got {line!r}")
    known[tuple(parts)] = reason.strip()

problems = []
if not report.get("complete"):
    problems.append(f"the run stopped early: {report.get('stop_reason')}")
for e in report.get("errors", []):
    problems.append(f"error: {json.dumps(e)[:300]}")
seen = set()
for f in report.get("failures", []):
    for op in f["operations"]:
        method, path = op.split(" ", 1)
        key = (f["code"], method, path)
        seen.add(key)
        if f["type"] in NEVER:
            problems.append(f"{f['code']} {op}: {f['title']} (never excused)")
        elif key not in known:
            problems.append(f"{f['code']} {op}: {f['title']} (not in schemathesis-known.txt)")
        else:
            print(f"known: {f['code']} {op}: {known[key]}")
for key in sorted(set(known) - seen):
    print(f"note: not found this run: {' '.join(key)}")
tested = report["operations"]["tested"]
cases = report["test_cases"]["generated"]
if problems:
    print(f"schemathesis: FAILED: {len(problems)} unexplained findings in {cases} cases on {tested} operations:")
    for p in problems:
        print(f"  {p}")
    sys.exit(1)
print(f"schemathesis: no unexplained findings in {cases} cases on {tested} operations")
PY
