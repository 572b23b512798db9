#!/usr/bin/env bash
# Soak: `disputed serve` under 8 concurrent loopback clients (wrk -t2 -c8, bench/wrk/mixed.lua:
# registrations, reads, timelines, list pages, SLA reports) for some minutes, printing the
# server's memory every 30 s, then asserting what must hold after a long run:
#   - no answer other than 2xx (by route, from /metrics), healthy at the end, exit 0 on SIGTERM;
#   - the heap outside SQLite flat: the mean of the last third of the samples at most 25 % + 4 MiB
#     above the mean of the first third (SQLite's page caches grow to their configured bounds,
#     database.cache_mib and reader_cache_mib: not a leak, and counted apart);
#   - RSS flat once the caches are full: VmRSS at the end at most 10 % above VmRSS at the start of
#     the last third (what bounds it: docs/operations.md "Memory").
#
#   bench/soak.sh [--connectors] [BUILD_DIR] [MINUTES]        (defaults: build, 5)
#
# --connectors: the three connectors (Zendesk, Salesforce, Microsoft Graph) active against their
# sandboxes (configs/demo, poll every second), each registration mirrored as a task, and the
# tasks of recent disputes completed in the sandboxes by bench/soak_stack.py (so completions
# come back through the pollers). `make soak` runs it for 10 minutes.
set -euo pipefail
connectors=0
if [ "${1:-}" = --connectors ]; then connectors=1; shift; fi
build=$(cd "${1:-build}" && pwd)
minutes=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
bin=$build/bin/disputed
work=$(mktemp -d)
pid=""
wrk_pid=""
stack_pid=""
cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  if [ -n "$stack_pid" ] && kill -0 "$stack_pid" 2>/dev/null; then kill -TERM "$stack_pid"; wait "$stack_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
invoices=$((minutes * 60 * 1000))
if [ "$connectors" = 1 ]; then
  /usr/bin/python3 "$here/soak_stack.py" "$src" "$build" "$work" >"$work/stack.out" 2>&1 &
  stack_pid=$!
  for _ in $(seq 300); do [ -f "$work/stack.env" ] && break; sleep 0.1; done
  [ -f "$work/stack.env" ] || { cat "$work/stack.out"; echo "soak: the sandboxes did not start"; exit 1; }
  . "$work/stack.env"
  cat "$work/stack.out"
fi
. "$here/serve_fixture.sh"
start_bench_server soak "$invoices"
if [ "$connectors" = 1 ]; then
  printf '%s\n%s\n' "$api" "$key" >"$work/engine"
  grep -E 'connector|sync' "$work/serve.err" | head -5 || true
fi

# One scrape for both heap figures, so their difference is consistent.
samples=()
memory() {
  local scrape heap sqlite other
  scrape=$(curl -s -H "Authorization: Bearer $key" "$api/metrics")
  heap=$(awk '$1 == "disputed_heap_in_use_bytes" {printf "%d", $2 / 1024}' <<<"$scrape")
  sqlite=$(awk '$1 == "disputed_sqlite_memory_bytes" {printf "%d", $2 / 1024}' <<<"$scrape")
  other=$((heap - sqlite))
  local rss hwm anon file
  rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status")
  hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$pid/status")
  anon=$(awk '$1 == "RssAnon:" {print $2}' "/proc/$pid/status")
  file=$(awk '$1 == "RssFile:" {print $2}' "/proc/$pid/status")
  samples+=("$1 $rss $other")
  printf 't=%-5s VmRSS %7s kB  VmHWM %7s kB  RssAnon %7s kB  RssFile %7s kB  heap %7s kB = sqlite %7s kB + other %6s kB  commands %s' \
    "${1}s" "$rss" "$hwm" "$anon" "$file" "$heap" "$sqlite" "$other" \
    "$(awk '$1 == "disputed_writer_commands_total" {print $2}' <<<"$scrape")"
  [ "$connectors" = 1 ] && printf '  outbox pending %s done %s' \
    "$(awk '$1 == "disputed_outbox_rows{state=\"pending\"}" {print $2}' <<<"$scrape")" \
    "$(awk '$1 == "disputed_outbox_rows{state=\"done\"}" {print $2}' <<<"$scrape")"
  echo
}
echo "soak: $minutes min, 8 clients, serve pid $pid, connectors: $([ "$connectors" = 1 ] && echo "zendesk, salesforce, msgraph" || echo none), load average $(cut -d' ' -f1-3 /proc/loadavg)"
memory 0
DISPUTED_KEY=$key WRK_THREADS=2 wrk -t2 -c8 -d"${minutes}m" --latency -s "$here/wrk/mixed.lua" "$api" >"$work/wrk.out" &
wrk_pid=$!
for t in $(seq 30 30 $((minutes * 60))); do
  sleep 30
  kill -0 "$pid" || { echo "soak: the server died"; exit 1; }
  memory "$t"
done
wait "$wrk_pid"
wrk_pid=""
cat "$work/wrk.out"
failed=0
curl -sf "$api/healthz" >/dev/null || { echo "soak: FAIL: not healthy at the end"; failed=1; }
echo "answers other than 2xx, by route:"
if curl -s -H "Authorization: Bearer $key" "$api/metrics" | grep '^disputed_http_requests_total' | grep -v 'status="2'; then
  echo "soak: FAIL: error answers (above)"
  failed=1
else
  echo "  none"
fi
if [ "$connectors" = 1 ]; then
  echo "connectors (GET /connectors):"
  curl -s -H "Authorization: Bearer $key" "$api/connectors" | /usr/bin/python3 -c '
import json, sys
for c in json.load(sys.stdin)["items"]:
    print("  " + json.dumps({k: c.get(k) for k in ("name", "status", "last_poll_at", "last_apply_at", "pending_actions", "dead_letters", "retries", "last_error") if k in c}))'
  curl -s -H "Authorization: Bearer $key" "$api/metrics" | grep '^disputed_outbox_rows' | sed 's/^/  /'
fi

# The assertions over the samples after t=0 (the load starts after it).
verdict=$(printf '%s\n' "${samples[@]:1}" | /usr/bin/python3 -c '
import sys
rows = [tuple(int(x) for x in line.split()) for line in sys.stdin if line.strip()]
n = len(rows)
third = max(1, n // 3)
first, last = rows[:third], rows[n - third:]
mean = lambda xs: sum(xs) / len(xs)
other_first, other_last = mean([r[2] for r in first]), mean([r[2] for r in last])
heap_ok = other_last <= other_first * 1.25 + 4096
rss_start, rss_end = last[0][1], rows[-1][1]
rss_ok = rss_end <= rss_start * 1.10
heap_word = "flat" if heap_ok else "GROWING"
rss_word = "flat" if rss_ok else "GROWING"
print(("ok" if heap_ok and rss_ok else "FAIL"),
      f"heap outside SQLite: first third {other_first / 1024:.1f} MiB, last third {other_last / 1024:.1f} MiB ({heap_word});",
      f"VmRSS over the last third {rss_start / 1024:.0f} -> {rss_end / 1024:.0f} MiB ({rss_word})")
')
echo "soak: $verdict"
[ "${verdict%% *}" = ok ] || failed=1
peak=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$pid/status")
echo "soak: peak RSS (VmHWM) $((peak / 1024)) MiB"
echo "soak: still serving; stopping with SIGTERM"
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" = 0 ] || { echo "soak: FAIL: serve exited $code on SIGTERM"; failed=1; }
if [ "$connectors" = 1 ]; then
  kill -TERM "$stack_pid"; wait "$stack_pid" || true; stack_pid=""
  echo "agents in the sandboxes: $(cat "$work/agents.txt" 2>/dev/null || echo '(no report)')"
  grep -ciE 'error|fail' "$work/serve.err" | sed 's/^/serve log lines naming an error or failure: /'
fi
[ "$failed" = 0 ] || { echo "soak: FAIL"; exit 1; }
echo "soak: ok"
