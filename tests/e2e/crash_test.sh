#!/usr/bin/env bash
# Crash test of invariant 2 and 3: the sync engine is killed with SIGKILL at random moments while
# hundreds of actions are mirrored into the fakesystem plugin and completions are polled back;
# an "agent" keeps completing tasks and the system keeps losing some responses. At the end:
# every action mirrored exactly once, every completion applied exactly once, no step lost.
#
#   crash_test.sh BIN SOURCE_DIR BUILD_DIR [KILLS] [DISPUTES]
#
# With the three real connectors and their sandboxes instead (tests/e2e/crash_connectors.py):
#   crash_test.sh --connectors [SOURCE_DIR [BUILD_DIR]] [--kills N] [--disputes D] [--seed S]
set -euo pipefail
if [ "${1:-}" = "--connectors" ]; then
  shift
  here=$(cd "$(dirname "$0")" && pwd)
  src=$(cd "$here/../.." && pwd)
  [ $# -gt 0 ] && [ "${1#--}" = "$1" ] && { src=$1; shift; }
  build=$src/build
  [ $# -gt 0 ] && [ "${1#--}" = "$1" ] && { build=$1; shift; }
  exec python3 "$here/crash_connectors.py" "$src" "$build" "$@"
fi
bin=$1
src=$2
build=$3
kills=${4:-50}
disputes=${5:-200}
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "crash_test: FAIL: $*" >&2; exit 1; }
q() { sqlite3 -cmd ".timeout 10000" "$@"; }

# Configuration: the shipped one, with every step mirrored into the fake system.
cp -r "$src/configs" "$work/configs"
sed -i 's/"target": "internal"/"target": "fake"/' "$work"/configs/workflows/*.json
mkdir -p "$work/configs/connectors"
cat > "$work/configs/connectors/fake.json" <<JSON
{"name": "fake", "plugin": "fakesystem", "settings": {"database": "$work/fake.db"},
 "poll_interval_seconds": 1, "max_attempts": 100, "rate_per_second": 25, "burst": 5}
JSON
export DISPUTED_CONFIG=$work/configs/disputed.json DISPUTED_DB=$work/engine.db
export DISPUTED_PLUGIN_PATH=$build/test-plugins DISPUTED_USER=clerk@example.com

"$bin" migrate >/dev/null
"$bin" import invoices "$src/configs/examples/invoices.csv" >/dev/null
categories=(price quality delivery administrative duplicate-invoice general)
for i in $(seq 1 "$disputes"); do
  printf -v inv 'INV-2026-%04d' $(( (i - 1) % 300 + 1 ))
  "$bin" dispute open --invoice "$inv=1.00" --category "${categories[$((i % 6))]}" --channel email \
    --description "crash test dispute $i" >/dev/null || fail "could not open dispute $i"
done
"$bin" sync --once >/dev/null  # creates the fake system's tables
# Some responses get lost after the effect happened: the retries must not duplicate anything.
q "$work/fake.db" "INSERT INTO faults (operation, result, times) VALUES ('apply', 'lost_response', 25)"

# The agent completes a few open tasks with the step's first outcome.
agent() {
  q "$work/fake.db" "UPDATE counter SET value = value + 1;
    UPDATE tasks SET status = 'completed', outcome = json_extract(outcomes, '\$[0]'), solved_by = 'agent@example.com',
      modified_seq = (SELECT value FROM counter)
    WHERE id IN (SELECT id FROM tasks WHERE status = 'open' ORDER BY random() LIMIT $1);" >/dev/null
}

start=$(date +%s)
busy_kills=0
for k in $(seq 1 "$kills"); do
  "$bin" sync >"$work/sync.log" 2>&1 &
  pid=$!
  agent 8
  sleep "0.$(( RANDOM % 5 + 1 ))$(( RANDOM % 10 ))"
  kill -9 "$pid" 2>/dev/null || true
  # A kill counts as "busy" when work was still outstanding at that moment.
  outstanding=$(q "$work/engine.db" "SELECT COUNT(*) FROM outbox WHERE target = 'fake' AND state = 'pending'")
  unpolled=$(q "$work/fake.db" "SELECT COUNT(*) FROM tasks WHERE status = 'completed'")
  applied=$(q "$work/engine.db" "SELECT COUNT(*) FROM steps WHERE status = 'completed'")
  if [ "$outstanding" != 0 ] || [ "$unpolled" != "$applied" ]; then busy_kills=$((busy_kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  pid=
done
echo "crash_test: $kills kills in $(( $(date +%s) - start )) s, $busy_kills of them with actions or completions outstanding"

# Drain: keep completing and syncing until every dispute is resolved.
for round in $(seq 1 120); do
  agent 1000
  "$bin" sync --once --reconcile >/dev/null 2>&1 || true
  open=$(q "$work/engine.db" "SELECT COUNT(*) FROM disputes WHERE status NOT IN ('resolved', 'withdrawn', 'closed')")
  pending=$(q "$work/engine.db" "SELECT COUNT(*) FROM outbox WHERE target = 'fake' AND state = 'pending'")
  [ "$open" = 0 ] && [ "$pending" = 0 ] && break
  sleep 0.5
done

# The verdict.
tasks=$(q "$work/fake.db" "SELECT COUNT(*) FROM tasks")
dupes=$(q "$work/fake.db" "SELECT COUNT(*) FROM (SELECT external_key FROM tasks GROUP BY external_key HAVING COUNT(*) > 1)")
steps=$(q "$work/engine.db" "SELECT COUNT(*) FROM steps WHERE target = 'fake'")
not_done=$(q "$work/engine.db" "SELECT COUNT(*) FROM outbox WHERE target = 'fake' AND state <> 'done'")
unresolved=$(q "$work/engine.db" "SELECT COUNT(*) FROM disputes WHERE status <> 'resolved'")
completed_steps=$(q "$work/engine.db" "SELECT COUNT(*) FROM steps WHERE status = 'completed'")
completions=$(q "$work/engine.db" "SELECT COUNT(*) FROM dossier WHERE kind = 'step_completed'")
twice=$(q "$work/engine.db" "SELECT COUNT(*) FROM (SELECT json_extract(payload, '\$.step_id') s FROM dossier
          WHERE kind = 'step_completed' GROUP BY s HAVING COUNT(*) > 1)")
fake_completed=$(q "$work/fake.db" "SELECT COUNT(*) FROM tasks WHERE status = 'completed'")
lost=$(q "$work/fake.db" "SELECT 25 - times FROM faults WHERE result = 'lost_response'")
retried=$(q "$work/engine.db" "SELECT COUNT(*) FROM outbox WHERE target = 'fake' AND attempts > 1")

echo "crash_test: disputes=$disputes steps=$steps tasks=$tasks duplicates=$dupes not_done=$not_done" \
     "unresolved=$unresolved completed_steps=$completed_steps completions=$completions fake_completed=$fake_completed" \
     "lost_responses=$lost retried_actions=$retried"
[ "$dupes" = 0 ] || fail "$dupes task keys have more than one external task"
[ "$tasks" = "$steps" ] || fail "$steps steps but $tasks external tasks"
[ "$not_done" = 0 ] || fail "$not_done actions not delivered"
[ "$unresolved" = 0 ] || fail "$unresolved disputes not resolved"
[ "$twice" = 0 ] || fail "$twice steps completed more than once"
[ "$completions" = "$completed_steps" ] || fail "$completions completions recorded for $completed_steps completed steps"
[ "$fake_completed" = "$completed_steps" ] || fail "$fake_completed tasks completed in the system, $completed_steps steps completed"
echo "crash_test: ok"
