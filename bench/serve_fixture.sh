# Sourced by the REST benchmarks (api_bench.sh, soak.sh): a temporary database with the shipped
# configuration and N synthetic invoices, a controller key, and `disputed serve` on a free
# loopback port. Expects $bin, $src and $work; sets $key, $pid, $api and defines metric NAME.
# $bench_configs, when set, is the configuration folder to use instead of $src/configs.
#
#   start_bench_server NAME INVOICES
start_bench_server() {
  local name=$1 invoices=$2
  export DISPUTED_CONFIG=${bench_configs:-$src/configs}/disputed.json DISPUTED_DB=$work/$name.db
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
  key=$("$bin" --json api-key create "$name" --role controller | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" serve --listen "127.0.0.1:$port" >"$work/serve.out" 2>"$work/serve.err" &
  pid=$!
  api=http://127.0.0.1:$port/api/v1
  for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
}

metric() { curl -s -H "Authorization: Bearer $key" "$api/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
