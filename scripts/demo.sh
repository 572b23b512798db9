#!/usr/bin/env bash
# `make demo`: the engine on its embedded default (a SQLite file under build/demo/) with the
# shipped configs and sample invoices. It tells the story of a few disputes, moving the clock
# forward so reminders and escalations fire, and ends with where to look next.
# (Connectors and their sandboxes join the demo when the connector plugins land.)
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/$build/bin/disputed
demo=$root/$build/demo
mkdir -p "$demo"
rm -f "$demo"/disputed.db "$demo"/disputed.db-wal "$demo"/disputed.db-shm

export DISPUTED_CONFIG=$root/configs/disputed.json
export DISPUTED_DB=$demo/disputed.db
export DISPUTED_USER=anna.jansen@example.com   # a credit controller

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ disputed %s\033[0m\n' "$*"; "$bin" "$@"; }
at() { export DISPUTED_NOW=$1; }

say "A fresh database and the customer ledger (300 invoices of 8 customers)"
at 2026-11-23T08:00:00Z
run migrate
run import invoices "$root/configs/examples/invoices.csv"

say "Monday 09:00 — four customers call or write about their invoices"
run dispute open --invoice INV-2026-0001=250.00 --category price --channel phone \
  --description "Invoiced list price; our contract says 12% discount" --contact-name "Camille Martin" >/dev/null
run dispute open --invoice INV-2026-0010 --category delivery --channel email \
  --description "Pallet 2 of 3 never arrived" --contact-email "logistiek@brouwer.example" >/dev/null
run dispute open --invoice INV-2026-0003 --invoice INV-2026-0011 --category duplicate-invoice --channel portal \
  --description "The same delivery invoiced twice" >/dev/null
run dispute open --invoice INV-2026-0020=80.00 --channel whatsapp \
  --description "The coffee machine arrived damaged, quality is poor" >/dev/null
run dispute list

say "Dunning is paused for every disputed invoice"
run invoice show INV-2026-0001

say "The account manager checks the price agreement"
first=$("$bin" --json dispute show DSP-000001 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["steps"][-1]["step"])')
outcome=$("$bin" --json categories | python3 -c '
import json,sys
for c in json.load(sys.stdin)["items"]:
    if c["id"] == "price":
        wf = c["workflow_definition"]; s = [x for x in wf["steps"] if x["id"] == wf["start"]][0]
        print(s["outcomes"][0]["outcome"])')
at 2026-11-24T09:30:00Z
run --as "$(
  "$bin" --json dispute show DSP-000001 | python3 -c 'import json,sys; print(json.load(sys.stdin)["steps"][-1]["assignee"])'
)" dispute complete-step DSP-000001 "$first" --outcome "$outcome" --comment "Contract 2026-17 confirms 12% discount"
run dispute note DSP-000001 --channel phone --text "Called Camille: credit note expected this week"

say "Nobody acts on the delivery dispute: reminders, then an escalation (the clock jumps ahead)"
at 2026-11-26T16:05:00Z
run tick
at 2026-12-01T16:05:00Z
run tick
run tasks --all

say "The customer withdraws the duplicate-invoice dispute"
at 2026-12-02T10:00:00Z
run dispute withdraw DSP-000003 --note "Customer found the credit note we already sent"
run invoice show INV-2026-0003

say "Credit control resolves the damaged-goods dispute with a credit note"
run dispute resolve DSP-000004 --resolution credit_note --note "Credit 80.00 for the damaged machine"

say "The collection system's feed: holds placed and released, with new due dates"
run events

say "The dossier of one dispute"
run dispute show DSP-000001

cat <<TXT

Where to look next:
  database      $DISPUTED_DB   (sqlite3 it, or use the CLI with DISPUTED_DB set)
  try           DISPUTED_DB=$DISPUTED_DB $bin dispute list --active
                DISPUTED_DB=$DISPUTED_DB $bin tasks --all
                $bin --help
  docs          docs/architecture.md, docs/configuration.md
TXT
