#!/usr/bin/env bash
# The web app's page timings at 100,000 disputes (docs/benchmarks.md): seeds (once) the same
# database as the report benchmark, starts `disputed serve` on it with a local account, and
# times the pages in Debian's headless Chromium (bench/web_pages.mjs). Also the REST calls the
# list page makes, with curl.
#
#   bash bench/web_bench.sh BUILD_DIR [RUNS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
runs=${2:-10}
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$build/bin/disputed
db=${WEB_BENCH_DB:-/tmp/reports-100k.db}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

[ -f "$db" ] || "$build/bin/disputed-bench-reports" --disputes 100000 --runs 1 --db "$db" >/dev/null
export DISPUTED_CONFIG=$src/configs/disputed.json DISPUTED_DB=$db
"$bin" migrate >/dev/null
"$bin" user list | grep -q '^bench@example.com ' ||
  printf '%s\n' 'bench password 2026' | "$bin" user add bench@example.com --role admin >/dev/null
key=$("$bin" --json api-key create "web-bench-$$" --role viewer | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$base/api/v1/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "disputes: $(sqlite3 "$db" 'SELECT COUNT(*) FROM disputes')"

echo
echo "REST calls of the list page (median of $runs, curl time_total):"
time_call() {
  local label=$1 target=$2 t=()
  for _ in $(seq "$runs"); do
    t+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $key" "$base/api/v1$target")")
  done
  printf '  %-58s %s ms\n' "$label" "$(printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')"
}
time_call "GET /disputes?order=newest&limit=25&count=true" "/disputes?order=newest&limit=25&count=true"
deep=$(curl -s -H "Authorization: Bearer $key" "$base/api/v1/disputes?order=newest&limit=1&cursor=2000" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
time_call "GET /disputes?order=newest&limit=25&cursor=<id near the end>" "/disputes?order=newest&limit=25&cursor=$deep"
time_call "GET /disputes?category=price&status=open&q=Customer&count=true" "/disputes?category=price&status=open&q=Customer&limit=25&count=true&order=newest"
time_call "GET /invoices?q=INV-100012 (register: search as you type)" "/invoices?q=INV-100012"
time_call "GET /invoices?q=Customer 1999 (customer name contains)" "/invoices?q=Customer%201999"
ref=$(curl -s -H "Authorization: Bearer $key" "$base/api/v1/disputes?order=newest&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["ref"])')
time_call "GET /disputes/$ref" "/disputes/$ref"
time_call "GET /disputes/$ref/timeline" "/disputes/$ref/timeline"

echo
echo "Pages in headless Chromium ($runs runs after one warm-up; from navigation start):"
node "$src/bench/web_pages.mjs" "$base" bench@example.com 'bench password 2026' "$runs"
