#!/usr/bin/env bash
# `disputed serve` runs the connectors too: a dispute registered over REST whose first step
# targets the fakesystem connector becomes one task there; the agent completes it; the poller
# advances the dispute; GET /connectors shows the instance's counts; SIGTERM stops it all (exit 0).
#
#   serve_sync.sh BIN SOURCE_DIR BUILD_DIR
set -euo pipefail
bin=$1 src=$2 build=$3
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "serve_sync: FAIL: $*" >&2
  echo "--- serve stderr" >&2; tail -60 "$work/serve.err" >&2 || true
  exit 1
}
q() { sqlite3 -cmd ".timeout 10000" "$@"; }
# field EXPR: evaluates the Python expression EXPR over the JSON document d read from stdin.
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

cp -r "$src/configs" "$work/configs"
sed -i 's/"target": "internal"/"target": "fake"/' "$work"/configs/workflows/*.json
mkdir -p "$work/configs/connectors"
cat > "$work/configs/connectors/fake.json" <<JSON
{"name": "fake", "plugin": "fakesystem", "settings": {"database": "$work/fake.db"}, "poll_interval_seconds": 1}
JSON
export DISPUTED_CONFIG=$work/configs/disputed.json DISPUTED_DB=$work/engine.db
export DISPUTED_PLUGIN_PATH=$build/test-plugins

"$bin" migrate >/dev/null
"$bin" import invoices "$src/configs/examples/invoices.csv" >/dev/null
key=$("$bin" --json api-key create e2e --role admin | field 'd["key"]')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --tick-interval 1 >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
api=http://127.0.0.1:$port/api/v1
for _ in $(seq 1 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.1; done
grep -q "1 connector instance(s)" "$work/serve.out" || fail "serve did not announce the connector: $(cat "$work/serve.out")"
auth=(-H "Authorization: Bearer $key")

ref=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$api/disputes" \
  -d '{"invoices":[{"number":"INV-2026-0001","amount":"10.00"}],"category":"price","channel":"phone","description":"Contract price not applied"}' \
  | field 'd["ref"]') || fail "could not register a dispute"

# The first step appears as one task in the fake system.
for _ in $(seq 1 100); do
  n=$(q "$work/fake.db" "SELECT COUNT(*) FROM tasks" 2>/dev/null || echo 0)
  [ "$n" = 1 ] && break
  sleep 0.1
done
[ "$n" = 1 ] || fail "expected 1 task in the fake system, found $n"
# (the task exists a moment before the dispatcher's commit records its id)
for _ in $(seq 1 100); do
  detail=$(curl -sf "${auth[@]}" "$api/disputes/$ref")
  [ "$(echo "$detail" | field 'd["steps"][0]["external_status"]')" = open ] && break
  sleep 0.1
done
[ "$(echo "$detail" | field 'd["steps"][0]["external_status"]')" = open ] || fail "step not shown as open externally: $detail"
[ "$(echo "$detail" | field 'd["steps"][0]["external_ref"]')" != None ] || fail "no external ref: $detail"
[ "$(echo "$detail" | field 'd["steps"][0]["target"]')" = fake ] || fail "step target: $detail"

# The agent completes it with the first outcome (customer-right -> approve-credit).
q "$work/fake.db" "UPDATE counter SET value = value + 1;
  UPDATE tasks SET status = 'completed', outcome = json_extract(outcomes, '\$[0]'), solved_by = 'agent@example.com',
    modified_seq = (SELECT value FROM counter)"
for _ in $(seq 1 100); do
  step=$(curl -sf "${auth[@]}" "$api/disputes/$ref" | field '[s["step"] for s in d["steps"] if s["status"]=="open"]')
  [ "$step" = "['approve-credit']" ] && break
  sleep 0.1
done
[ "$step" = "['approve-credit']" ] || fail "dispute did not advance to approve-credit: $step"
by=$(curl -sf "${auth[@]}" "$api/disputes/$ref" | field '[s["completed_by"] for s in d["steps"] if s["step"]=="check-price-agreement"][0]')
[ "$by" = agent@example.com ] || fail "completed_by: $by"

connectors=$(curl -sf "${auth[@]}" "$api/connectors")
[ "$(echo "$connectors" | field 'd["items"][0]["name"]')" = fake ] || fail "connectors: $connectors"
applied=$(echo "$connectors" | field 'd["items"][0]["applied"]')
[ "$applied" -ge 1 ] || fail "connectors shows no applied action: $connectors"

for _ in $(seq 1 100); do
  tasks=$(q "$work/fake.db" "SELECT COUNT(*) FROM tasks")
  [ "$tasks" = 2 ] && break
  sleep 0.1
done
[ "$tasks" = 2 ] || fail "expected the next step as a second task, found $tasks task(s)"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || fail "serve exited $status on SIGTERM"
grep -q "stopped (SIGTERM)" "$work/serve.out" || fail "no clean stop line"
tasks=$(q "$work/fake.db" "SELECT COUNT(*) FROM tasks")
[ "$tasks" = 2 ] || fail "after the stop: expected 2 tasks (one per step so far), found $tasks"
echo "serve_sync: ok ($ref advanced through the fake system; $applied action(s) applied)"
