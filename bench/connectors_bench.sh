#!/usr/bin/env bash
# REST registrations and connector completions at the same time: `disputed serve` with five
# fakesystem connector instances (one per category wrk registers in; every workflow step is
# mirrored into one of them), 8 loopback clients registering disputes (wrk -t2 -c8) while an
# "agent" completes every open task in the fake systems and the pollers bring the completions
# back (each completion advances its dispute: the next step is mirrored, or the dispute ends).
#
#   bench/connectors_bench.sh [BUILD_DIR] [SECONDS] [BACKLOG_SECONDS]   (defaults: build, 20, 4)
#
# First BACKLOG_SECONDS of registrations make a backlog of open tasks; once they are all
# mirrored the agent completes them at once and the measured window starts. Prints
# registrations/s (wrk), and per second over the window: completions applied, actions
# delivered, the writer's commands and commits. See docs/benchmarks.md.
set -euo pipefail
build=${1:-build}
seconds=${2:-20}
backlog_seconds=${3:-4}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
bin=$build/bin/disputed
work=$(mktemp -d)
pid=""
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  # BENCH_SERVER_LOG=FILE keeps the server's log.
  [ -n "${BENCH_SERVER_LOG:-}" ] && cp "$work/serve.err" "$BENCH_SERVER_LOG" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
q() { sqlite3 -cmd ".timeout 10000" "$@"; }

categories=(price quality delivery administrative duplicate-invoice general)
bench_configs=$work/configs
cp -r "$src/configs" "$bench_configs"
mkdir -p "$bench_configs/connectors"
for c in "${categories[@]}"; do
  sed -i "s/\"target\": \"internal\"/\"target\": \"fake-$c\"/" "$bench_configs/workflows/$c.json"
  cat > "$bench_configs/connectors/fake-$c.json" <<JSON
{"name": "fake-$c", "plugin": "fakesystem", "settings": {"database": "$work/fake-$c.db"},
 "poll_interval_seconds": 1, "rate_per_second": 5000, "burst": 5000}
JSON
done
export DISPUTED_PLUGIN_PATH=$build/test-plugins
invoices=$(( (seconds + backlog_seconds) * 8000 ))
. "$here/serve_fixture.sh"
start_bench_server bench "$invoices"
echo "disputed serve pid $pid on $api; $invoices invoices; 6 fakesystem instances; $(nproc) cores"

total() { q "$DISPUTED_DB" "SELECT COALESCE(SUM($1), 0) FROM connector_status"; }
pending() { q "$DISPUTED_DB" "SELECT COUNT(*) FROM outbox WHERE target LIKE 'fake-%' AND state = 'pending'"; }
complete_open_tasks() {
  for c in "${categories[@]}"; do
    [ -f "$work/fake-$c.db" ] || continue
    q "$work/fake-$c.db" "UPDATE counter SET value = value + 1;
      UPDATE tasks SET status = 'completed', outcome = json_extract(outcomes, '\$[0]'),
        solved_by = 'agent@example.com', modified_seq = (SELECT value FROM counter)
      WHERE status = 'open';" >/dev/null 2>&1 || true
  done
}

echo
echo "== backlog: ${backlog_seconds}s of registrations, then every create mirrored"
DISPUTED_KEY=$key WRK_THREADS=2 wrk -t2 -c8 -d"${backlog_seconds}s" -s "$here/wrk/register.lua" \
  "$api/disputes" | grep -E "Requests/sec"
for _ in $(seq 600); do [ "$(pending)" = 0 ] && break; sleep 0.1; done
open_tasks=0
for c in "${categories[@]}"; do
  [ -f "$work/fake-$c.db" ] && open_tasks=$((open_tasks + $(q "$work/fake-$c.db" "SELECT COUNT(*) FROM tasks WHERE status = 'open'")))
done
echo "open tasks in the fake systems: $open_tasks; pending actions: $(pending)"

echo
echo "== window: wrk -t2 -c8 -d${seconds}s registering, the agent completing every open task"
events0=$(total events) applied0=$(total applied)
commands0=$(metric disputed_writer_commands_total) commits0=$(metric disputed_writer_commits_total)
(while true; do complete_open_tasks; sleep 0.5; done) &
agent_pid=$!
start=$(date +%s.%N)
DISPUTED_KEY=$key WRK_THREADS=2 wrk -t2 -c8 -d"${seconds}s" --latency -s "$here/wrk/register.lua" \
  "$api/disputes" | grep -E "Requests/sec|Latency  |50%|99%"
end=$(date +%s.%N)
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
events1=$(total events) applied1=$(total applied)
commands1=$(metric disputed_writer_commands_total) commits1=$(metric disputed_writer_commits_total)
python3 - "$start" "$end" "$events0" "$events1" "$applied0" "$applied1" "$commands0" "$commands1" "$commits0" "$commits1" <<'PY'
import sys
s, e, ev0, ev1, ap0, ap1, c0, c1, k0, k1 = map(float, sys.argv[1:])
t = e - s
print(f"window {t:.1f} s: completions applied {ev1 - ev0:.0f} ({(ev1 - ev0) / t:.0f}/s), "
      f"actions delivered {ap1 - ap0:.0f} ({(ap1 - ap0) / t:.0f}/s)")
print(f"writer: {c1 - c0:.0f} commands in {k1 - k0:.0f} commits ({(c1 - c0) / max(k1 - k0, 1):.1f} per commit)")
PY
echo "server RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
