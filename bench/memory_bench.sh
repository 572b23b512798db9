#!/usr/bin/env bash
# Memory of `disputed serve` as the database grows to 100,000 disputes (docs/benchmarks.md,
# docs/operations.md "Memory"): registers DISPUTES disputes through the REST API (wrk -t2 -c8,
# bench/wrk/register.lua), printing the server's memory every STEP disputes, then drives reads
# and writes (bench/wrk/mixed.lua: a dispute, its timeline, a page of the list, the SLA report
# once in a thousand, one registration in four) for READ_SECONDS and prints it again.
#
#   bench/memory_bench.sh [BUILD_DIR] [DISPUTES] [READ_SECONDS]    (defaults: build, 100000, 60)
#   DATABASE='{"cache_mib": 16, "mmap_mib": 64}' bench/memory_bench.sh ...
#
# DATABASE (JSON) is merged into the "database" section of a copy of configs/disputed.json
# (docs/configuration.md: cache_mib, reader_cache_mib, mmap_mib, readers). Memory is read from
# /proc/<pid>/status (VmRSS, VmHWM = the peak RSS, RssAnon = heap and stacks, RssFile = the
# binary, its libraries and the writer's memory-mapped database pages) and from /metrics (heap in
# use, of which SQLite's page caches).
set -euo pipefail
build=${1:-build}
disputes=${2:-100000}
read_seconds=${3:-60}
step=${STEP:-10000}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
bin=$build/bin/disputed
work=$(mktemp -d)
pid=""
wrk_pid=""
cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cp -a "$src/configs" "$work/configs"
python3 - "$work/configs/disputed.json" "${DATABASE:-{\}}" <<'PY'
import json, sys
path, extra = sys.argv[1], json.loads(sys.argv[2])
config = json.load(open(path))
config["database"].update(extra)
json.dump(config, open(path, "w"), indent=2)
print("database settings:", json.dumps(config["database"]))
PY
bench_configs=$work/configs
# Invoices for the registrations, then a gap, then the read-and-write phase's registrations.
start=$((disputes + 20000))
. "$here/serve_fixture.sh"
start_bench_server memory $((start + read_seconds * 2000))

mib() { awk -v k="$1" '$1 == k ":" {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
memory() {
  local heap sqlite
  heap=$(( $(metric disputed_heap_in_use_bytes) / 1048576 ))
  sqlite=$(( $(metric disputed_sqlite_memory_bytes) / 1048576 ))
  printf '%-26s VmRSS %4s MiB  VmHWM %4s MiB  RssAnon %4s MiB  RssFile %4s MiB  heap %4s MiB (SQLite %4s MiB)  db %4s MiB\n' \
    "$1" "$(mib VmRSS)" "$(mib VmHWM)" "$(mib RssAnon)" "$(mib RssFile)" "$heap" "$sqlite" \
    "$(( ($(stat -c %s "$DISPUTED_DB") + $(stat -c %s "$DISPUTED_DB-wal" 2>/dev/null || echo 0)) / 1048576 ))"
}
count() { sqlite3 "$DISPUTED_DB" 'SELECT COUNT(*) FROM disputes'; }

echo "serve pid $pid, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
memory "started, 0 disputes"
DISPUTED_KEY=$key WRK_THREADS=2 wrk -t2 -c8 -d3600s -s "$here/wrk/register.lua" "$api/disputes" >"$work/register.out" &
wrk_pid=$!
next=$step
began=$(date +%s)
while :; do
  sleep 1
  kill -0 "$pid" || { echo "memory bench: the server died"; exit 1; }
  n=$(count)
  if [ "$n" -ge "$next" ]; then
    memory "$n disputes"
    next=$((next + step))
  fi
  [ "$n" -ge "$disputes" ] && break
  kill -0 "$wrk_pid" 2>/dev/null || { echo "memory bench: wrk stopped"; cat "$work/register.out"; exit 1; }
done
kill "$wrk_pid"; wait "$wrk_pid" 2>/dev/null || true; wrk_pid=""
echo "registered $(count) disputes in $(( $(date +%s) - began )) s"

echo "reads and writes (bench/wrk/mixed.lua, wrk -t2 -c8) for ${read_seconds} s"
DISPUTED_KEY=$key WRK_THREADS=2 DISPUTES=$(count) START=$start wrk -t2 -c8 -d"${read_seconds}s" --latency -s "$here/wrk/mixed.lua" "$api" >"$work/mixed.out" &
wrk_pid=$!
for t in $(seq 15 15 "$read_seconds"); do
  sleep 15
  memory "mixed, t=${t}s"
done
wait "$wrk_pid"; wrk_pid=""
grep -E 'Requests/sec|^ +50%|^ +99%' "$work/mixed.out" | sed 's/^ */  /'
memory "end, $(count) disputes"
echo "answers other than 2xx, by route:"
curl -s -H "Authorization: Bearer $key" "$api/metrics" | grep '^disputed_http_requests_total' | grep -v 'status="2' || echo "  none"
