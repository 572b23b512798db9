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
invoices=$((seconds * 8000))
. "$here/serve_fixture.sh"
start_bench_server bench "$invoices"
echo "disputed serve pid $pid on $api; $invoices invoices; $(nproc) cores"

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
