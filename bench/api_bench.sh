#!/usr/bin/env bash
# REST API throughput with 8 concurrent loopback clients (wrk -t2 -c8): dispute registrations
# (POST /disputes) and reads (GET /disputes/{id}), requests/s with p50/p99 latency, against the
# real `disputed serve` with the shipped configuration on a temporary database.
#
#   bench/api_bench.sh [BUILD_DIR] [SECONDS]        (defaults: build, 20)
#
# Needs wrk and python3 (scripts/setup.sh installs both). Prints wrk's reports and the writer's
# group-commit figures from /metrics. See docs/benchmarks.md.
set -euo pipefail
build=${1:-build}
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
bin=$build/bin/disputed
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export DISPUTED_CONFIG=$src/configs/disputed.json DISPUTED_DB=$work/bench.db
invoices=$((seconds * 8000))

python3 - "$work/invoices.csv" "$invoices" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("number,customer_id,customer_name,customer_email,amount,currency,issue_date,due_date,account_manager\n")
    for i in range(1, int(sys.argv[2]) + 1):
        c = i % 2000
        f.write(f"INV-B{i:07d},C-{c},Customer {c},ap@c{c}.example,1250.00,EUR,2026-11-01,2026-12-01,am{c % 25}@example.com\n")
PY
"$bin" migrate >/dev/null
"$bin" import invoices "$work/invoices.csv" >/dev/null
key=$("$bin" --json api-key create bench --role controller | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
api=http://127.0.0.1:$port/api/v1
for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "disputed serve pid $pid on $api; $invoices invoices; $(nproc) cores"
metric() { curl -s -H "Authorization: Bearer $key" "$api/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

echo
echo "== registrations: POST /disputes, wrk -t2 -c8 -d${seconds}s"
DISPUTED_KEY=$key WRK_THREADS=2 wrk -t2 -c8 -d"${seconds}s" --latency -s "$here/wrk/register.lua" "$api/disputes"
commands=$(metric disputed_writer_commands_total)
commits=$(metric disputed_writer_commits_total)
echo "writer: $commands commands in $commits commits (average $(python3 -c "print(round($commands / max($commits, 1), 1))") per commit)"
disputes=$("$bin" --json dispute list --after 0 --limit 1 >/dev/null; sqlite3 "$DISPUTED_DB" 'SELECT COUNT(*) FROM disputes')
echo "disputes in the database: $disputes"

echo
echo "== reads: GET /disputes/{id} (random of $disputes), wrk -t2 -c8 -d${seconds}s"
DISPUTED_KEY=$key DISPUTES=$disputes wrk -t2 -c8 -d"${seconds}s" --latency -s "$here/wrk/read.lua" "$api"
echo
echo "server RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
