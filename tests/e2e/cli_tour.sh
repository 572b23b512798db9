#!/usr/bin/env bash
# The README's five-minute tour, against the real binary: migrate, import, register, work the
# steps, watch the hold and the feed. Fails on the first unexpected answer.
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DISPUTED_CONFIG=$src/configs/disputed.json
export DISPUTED_DB=$work/tour.db
export DISPUTED_NOW=2026-11-23T08:00:00Z
export DISPUTED_USER=clerk@example.com

fail() { echo "cli_tour: $*" >&2; exit 1; }

"$bin" migrate | grep -q "migrated" || fail "migrate"
"$bin" import invoices "$src/configs/examples/invoices.csv" | grep -q "rejected" || fail "import"
out=$("$bin" dispute open --invoice INV-2026-0001=150.00 --category price --channel phone \
        --description "Charged list price instead of the contract price" --contact-name "Jan Jansen")
echo "$out" | grep -q "DSP-000001 registered" || fail "open: $out"
"$bin" invoice show INV-2026-0001 | grep -q "ON HOLD" || fail "hold not placed"
step=$("$bin" --json dispute show DSP-000001 | python3 -c 'import json,sys; print(json.load(sys.stdin)["steps"][0]["step"])')
outcome=$("$bin" --json categories | python3 -c '
import json,sys
for c in json.load(sys.stdin)["items"]:
    if c["id"] == "price":
        wf = c["workflow_definition"]
        step = [s for s in wf["steps"] if s["id"] == wf["start"]][0]
        print(step["outcomes"][-1]["outcome"])')
"$bin" dispute complete-step DSP-000001 "$step" --outcome "$outcome" --comment "contract checked" >/dev/null \
  || fail "complete-step"
status=$("$bin" --json dispute show DSP-000001 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
echo "tour: after '$outcome' the dispute is $status"
# Completing the same step again is refused and changes nothing.
if "$bin" dispute complete-step DSP-000001 "$step" --outcome "$outcome" 2>"$work/err"; then fail "double completion accepted"; fi
grep -q "is not open" "$work/err" || fail "double completion message: $(cat "$work/err")"
# Unknown category: a clear error, nothing written.
before=$("$bin" --json dispute list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
if "$bin" dispute open --invoice INV-2026-0002 --category weather --description x 2>"$work/err"; then fail "unknown category accepted"; fi
grep -q "unknown category 'weather'" "$work/err" || fail "unknown category message"
after=$("$bin" --json dispute list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
[ "$before" = "$after" ] || fail "a failed open wrote a dispute"
DISPUTED_NOW=2026-12-31T12:00:00Z "$bin" tick | grep -q "fired" || fail "tick"
"$bin" events | head -5
# serve runs the REST API and the timer scheduler until SIGTERM and stops cleanly with exit 0.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --tick-interval 1 >"$work/serve.out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "stop with" "$work/serve.out" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid" || fail "serve exited $? on SIGTERM: $(cat "$work/serve.out")"
grep -q "stopped (SIGTERM)" "$work/serve.out" || fail "serve did not report a clean stop: $(cat "$work/serve.out")"
echo "cli_tour: ok"
