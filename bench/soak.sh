#!/usr/bin/env bash
# Soak: `disputed serve` under 8 concurrent loopback clients (wrk -t2 -c8, bench/wrk/mixed.lua:
# registrations, reads, timelines, list pages, SLA reports) for some minutes, printing the
# server's memory every 30 s. A leak shows as anonymous memory (RssAnon) that keeps growing
# after the first minute; file-backed memory (RssFile: SQLite's memory-mapped database) grows
# with the database and is the page cache, not a leak.
#
#   bench/soak.sh [BUILD_DIR] [MINUTES]        (defaults: build, 5)
set -euo pipefail
build=${1:-build}
minutes=${2:-5}
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
invoices=$((minutes * 60 * 1000))
. "$here/serve_fixture.sh"
start_bench_server soak "$invoices"
# RSS includes memory the allocator keeps after free() and SQLite's page caches (which fill up
# to cache_size per connection). The heap in use (glibc mallinfo2) minus SQLite's heap is the
# memory held by everything else: the number that must stay flat.
memory() {
  local heap sqlite
  heap=$(( $(metric disputed_heap_in_use_bytes) / 1024 ))
  sqlite=$(( $(metric disputed_sqlite_memory_bytes) / 1024 ))
  awk '/^VmRSS|^RssAnon|^RssFile/ {printf "%s %s kB  ", $1, $2}' "/proc/$pid/status"
  echo "heap in use: $heap kB = sqlite $sqlite kB + other $((heap - sqlite)) kB  commands: $(metric disputed_writer_commands_total)"
}
echo "soak: $minutes min, 8 clients, serve pid $pid"
echo "t=0s     $(memory)"
DISPUTED_KEY=$key WRK_THREADS=2 wrk -t2 -c8 -d"${minutes}m" --latency -s "$here/wrk/mixed.lua" "$api" >"$work/wrk.out" &
wrk_pid=$!
for t in $(seq 30 30 $((minutes * 60))); do
  sleep 30
  kill -0 "$pid" || { echo "soak: the server died"; exit 1; }
  echo "t=${t}s $(memory)"
done
wait "$wrk_pid"
wrk_pid=""
cat "$work/wrk.out"
curl -sf "$api/healthz" >/dev/null || { echo "soak: not healthy at the end"; exit 1; }
echo "answers other than 2xx, by route:"
curl -s -H "Authorization: Bearer $key" "$api/metrics" | grep '^disputed_http_requests_total' | grep -v 'status="2' || echo "  none"
echo "soak: still serving; stopping with SIGTERM"
kill -TERM "$pid"
wait "$pid"
pid=""
echo "soak: exit 0"
