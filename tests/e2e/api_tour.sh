#!/usr/bin/env bash
# The REST API against the real binary: `disputed serve` on a free loopback port, API keys made
# with the CLI, the docs/api.md examples with curl (register, show, hold, note, step, resolve,
# feed, reports, metrics), the error answers, and a clean stop on SIGTERM (exit 0, data kept).
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export DISPUTED_CONFIG=$src/configs/disputed.json
export DISPUTED_DB=$work/api.db
unset DISPUTED_NOW

fail() {
  echo "api_tour: $*" >&2
  [ -f "$work/serve.err" ] && sed 's/^/  serve: /' "$work/serve.err" >&2
  exit 1
}
key_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'; }
field() { python3 -c "import json,sys; d=json.load(open('$work/body')); print($1)"; }

"$bin" migrate >/dev/null
"$bin" import invoices "$src/configs/examples/invoices.csv" >/dev/null
clerk=$("$bin" --json api-key create clerk --role controller | key_of)
board=$("$bin" --json api-key create board --role viewer | key_of)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --tick-interval 1 >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
api=http://127.0.0.1:$port/api/v1
for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$api/healthz" >/dev/null || fail "serve did not come up: $(cat "$work/serve.out")"

# req METHOD PATH KEY [BODY [CONTENT-TYPE]] -> HTTP status; the body is in $work/body
req() {
  local args=(-s -o "$work/body" -w '%{http_code}' -X "$1" "$api$2")
  [ -n "$3" ] && args+=(-H "Authorization: Bearer $3")
  [ $# -ge 4 ] && args+=(-H "Content-Type: ${5:-application/json}" --data-binary "$4")
  curl "${args[@]}"
}
expect() {  # expect STATUS METHOD PATH KEY [BODY [CONTENT-TYPE]]
  local want=$1
  shift
  local got
  got=$(req "$@")
  [ "$got" = "$want" ] || fail "$1 $2: expected $want, got $got: $(cat "$work/body")"
}

expect 401 GET /disputes ""
expect 401 GET /disputes "dsp_not-a-key"
expect 201 POST /disputes "$clerk" \
  '{"invoices":[{"number":"INV-2026-0001","amount":"250.00"}],"category":"price","channel":"phone",
    "description":"Invoiced list price; contract says 12% discount","contact":{"name":"Camille Martin"}}'
ref=$(field 'd["ref"]')
step=$(field 'd["steps"][0]["step"]')
[ "$ref" = "DSP-000001" ] || fail "unexpected ref $ref"
expect 200 GET "/invoices/INV-2026-0001" "$board"
[ "$(field 'd["collectable"]')" = "False" ] || fail "invoice not on hold"
expect 201 POST "/disputes/$ref/notes" "$clerk" '{"text":"Told Camille a credit note is coming","channel":"phone"}'
expect 403 POST "/disputes/$ref/notes" "$board" '{"text":"viewers cannot write"}'
expect 200 POST "/disputes/$ref/steps/$step/complete" "$clerk" '{"outcome":"customer-right","comment":"contract checked"}'
expect 409 POST "/disputes/$ref/steps/$step/complete" "$clerk" '{"outcome":"customer-right"}'
expect 200 POST "/disputes/$ref/resolve" "$clerk" '{"resolution":"credit_note","note":"Credit note CN-88"}'
[ "$(field 'd["status"]')" = "resolved" ] || fail "not resolved"
expect 200 GET "/events?after=0" "$board"
[ "$(field '[e["kind"] for e in d["items"]][-1]')" = "hold_released" ] || fail "no hold_released event"
expect 200 GET "/disputes/$ref/timeline" "$board"
expect 200 GET "/reports/summary?format=csv" "$board"
grep -q "^price,resolved,EUR,1,250.00" "$work/body" || fail "summary csv: $(cat "$work/body")"
expect 200 GET "/reports/sla?category=price" "$board"
expect 200 GET /metrics "$board"
grep -q 'disputed_http_requests_total{route="/api/v1/disputes",method="POST",status="201"} 1' "$work/body" || fail "metrics"
expect 200 GET /openapi.json "$board"

# Bad input gets a clear error and changes nothing.
expect 400 POST /disputes "$clerk" '{"invoices": [}'
grep -q "line 1, column 15" "$work/body" || fail "400 without position: $(cat "$work/body")"
expect 422 POST /disputes "$clerk" '{"invoices":[{"number":"INV-2026-0002","amount":5}],"description":"x","colour":"red"}'
grep -q '"/colour"' "$work/body" || fail "422 without field: $(cat "$work/body")"
expect 415 POST /disputes "$clerk" 'description=x' text/plain
python3 -c 'print("{\"description\":\"" + "x" * 1100000 + "\"}")' >"$work/big.json"
expect 413 POST /disputes "$clerk" "@$work/big.json"
expect 404 GET /disputes/DSP-999999 "$board"
expect 200 GET /disputes "$board"
[ "$(field 'len(d["items"])')" = "1" ] || fail "a refused request wrote a dispute"

# A revoked key is refused at once.
"$bin" api-key revoke board >/dev/null
expect 401 GET /disputes "$board"

# SIGTERM: stop accepting, finish, commit, exit 0.
kill -TERM "$pid"
wait "$pid" || fail "serve exited $? on SIGTERM"
pid=""
grep -q "stopped (SIGTERM)" "$work/serve.out" || fail "no clean stop: $(cat "$work/serve.out")"
"$bin" --json dispute show "$ref" | python3 -c 'import json,sys; assert json.load(sys.stdin)["status"] == "resolved"' \
  || fail "the resolution was not kept"
echo "api_tour: ok"
