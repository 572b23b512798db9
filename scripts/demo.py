#!/usr/bin/env python3
"""`make demo`: disputed on its embedded default — a SQLite file under build/demo/, the three
sandboxes as child processes, connector instances pointing at them (configs/demo/), 300 sample
invoices — telling the story of a few disputes as they move through Zendesk, Salesforce and
Microsoft To Do. The engine's clock starts now and runs fast, so deadlines pass while you watch.
(It starts now rather than on a chosen day because the sandboxes keep real time: a change made
"in the future" of the engine's clock would wait until the engine caught up.) Ctrl-C or the end
stops every child process.

    demo.py SOURCE_DIR BUILD_DIR [--keep]

It ends by printing the web app's address and a demo login. With --keep (`make demo KEEP=1`)
the engine, the sandboxes and the web app keep running until Ctrl-C, so the disputes the story
made can be clicked through.
"""

import base64
import datetime
import email
import email.policy
import re
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import disputed_stack as ds  # noqa: E402

CLOCK_SPEED = 14400                   # one real second = four hours
DEMO_LOGIN = ("anna.jansen@example.com", "demo-password-2026")  # a credit controller (local account)
SYSTEM_NAMES = {"zendesk": "Zendesk ticket", "salesforce": "Salesforce Task", "msgraph": "To Do task",
                "internal": "internal to-do"}

# Who calls about what, and how the people answer each step (first outcome = the usual one).
CASES = [
    {"invoice": "INV-2026-0001", "amount": "250.00", "category": "price", "channel": "phone",
     "description": "Invoiced list price; our contract says 12% discount",
     "answers": {"check-price-agreement": "customer-right", "approve-credit": "approved", "issue-credit-note": "issued"}},
    {"invoice": "INV-2026-0020", "amount": "80.00", "category": "quality", "channel": "whatsapp",
     "description": "The coffee machine arrived damaged",
     "answers": {"assess-complaint": "justified", "approve-credit": "approved", "issue-credit-note": "issued"}},
    {"invoice": "INV-2026-0010", "category": "delivery", "channel": "email",
     "description": "Pallet 2 of 3 never arrived",
     "answers": {}},  # logistics never answers: reminders, then an escalation
    {"invoice": "INV-2026-0003", "category": "duplicate-invoice", "channel": "portal",
     "description": "The same delivery invoiced twice (see INV-2026-0011)",
     "answers": {"check-duplicate": "is-duplicate", "credit-duplicate": "issued"}},
]


def bold(text):
    return f"\033[1m{text}\033[0m" if sys.stdout.isatty() else text


def say(text):
    print("\n" + bold("== " + text), flush=True)


STARTED = time.monotonic()


def line(text):
    print(f"   {time.monotonic() - STARTED:5.1f}s  " + text, flush=True)


def who(step):
    return f"the {step['assignee']} team" if step["assignee_kind"] == "role" else step["assignee"]


def zendesk_ticket_with_key(url, key, who="lead@example.com"):
    """The Zendesk ticket whose external_id is `key` (a task key), through the API; None if none."""
    auth = base64.b64encode(f"{who}/token:sandbox-token".encode()).decode()
    status, _, body = ds.http("GET", f"{url}/api/v2/tickets.json?external_id={key}", None,
                              {"Authorization": "Basic " + auth})
    tickets = body.get("tickets", []) if status == 200 and isinstance(body, dict) else []
    return tickets[0] if tickets else None


def show_mail(stack):
    """The mail the smtp connector plugin sent, as the SMTP server received it."""
    say(f"The mail that went out (received by the SMTP server, kept in {stack.mail_sink.spool})")
    files, stable_since = [], time.monotonic()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and time.monotonic() - stable_since < 3:  # until no more arrive
        now = stack.mail_sink.files()
        if len(now) != len(files):
            files, stable_since = now, time.monotonic()
        time.sleep(0.3)
    for path in files:
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        to = ", ".join(a.addr_spec for a in m["To"].addresses) if m["To"] else m["X-Envelope-To"]
        line(f"{path.name}  [{m['Content-Language'] or '?'}] to {to}: {m['Subject']}")
    for path in files:  # one one-click link to try: GET shows a page, only its button acts
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        body = m.get_body(preferencelist=("plain",))
        found = re.search(r"(https?://\S+/a/[A-Za-z0-9_.-]+)", body.get_content() if body else "")
        if found:
            line(f"one-click   {found.group(1)}")
            line(f"            (from {path.name}: opening it shows a page; only its Confirm button acts)")
            break
    line(f"{len(files)} mail(s); open any .eml file in a mail client, or read it: "
         f"python3 -c \"import email,sys; print(email.message_from_binary_file(open(sys.argv[1],'rb')))\" FILE")


def main():
    root, build = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    keep = "--keep" in sys.argv[3:]
    work = build / "demo"
    started = STARTED
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even where the shell ignored it
    say("Starting the sandboxes (local emulators of each vendor's API) and the engine")
    clock_start = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with ds.Stack(root, build, work, fixed_ports=False, clock_start=clock_start, clock_speed=CLOCK_SPEED,
                  tick_interval=1, poll_interval=1, mail=True) as stack:
        for system, sandbox in stack.sandboxes.items():
            line(f"{system:<11} {sandbox.url}")
        line(f"{'mail':<11} smtp://127.0.0.1:{stack.mail_sink.port}  (an SMTP server, python3-aiosmtpd: what the smtp plugin sends)")
        stack.add_user(DEMO_LOGIN[0], "controller", DEMO_LOGIN[1], "Anna Jansen")
        stack.start_engine()
        line(f"{'disputed':<11} {stack.api_url}  (REST API, timers and the three connectors in one process)")
        line(f"{'web app':<11} {stack.web_url}/")
        line(f"database    {stack.db}")
        line(f"clock       starts {clock_start} and runs {CLOCK_SPEED:,}x (1 s = {CLOCK_SPEED // 3600} h of working days, nights and weekends)")
        agents = ds.Agents(stack)

        say("Customers call and write; credit control registers the disputes (POST /api/v1/disputes)")
        refs = {}
        for case in CASES:
            invoice = {"number": case["invoice"]}
            if "amount" in case:
                invoice["amount"] = case["amount"]
            d = stack.api("POST", "/disputes", {"invoices": [invoice], "category": case["category"],
                                                "channel": case["channel"], "description": case["description"]},
                          expect=201)
            refs[d["ref"]] = case
            line(f"{d['ref']}  {case['category']:<18} {case['invoice']}  \"{case['description']}\"")

        state = stack.api("GET", "/invoices/INV-2026-0001", expect=200)
        say("Dunning pauses for every disputed invoice (GET /api/v1/invoices/INV-2026-0001)")
        line(f"collectable: {state['collectable']} — on hold for "
             f"{', '.join(h['dispute'] + ' since ' + h['placed_at'] for h in state['on_hold_for'])}; due date {state['due_date']}")

        say("Each first step appears where its people work")
        seen = set()
        for ref in refs:
            step = ds.wait_for(lambda: (lambda s: s if s and (s["target"] == "internal" or s["external_status"] == "open") else None)(stack.open_step(ref)),
                               60, f"{ref}'s first step")
            seen.add((ref, step["step"]))
            where = SYSTEM_NAMES[step["target"]]
            line(f"{ref}  '{step['title']}' for {who(step)} → {where} {step['external_ref'] or ''}")

        say("The people act in their own tools (through each system's real API); disputed follows")
        escalated = set()  # reached the manager
        escalations = set()
        resolved = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (len(resolved) < sum(1 for c in refs.values() if c["answers"]) or not escalated):
            for ref, case in refs.items():
                if ref in resolved:
                    continue
                d = stack.dispute(ref)
                if d["status"] == "resolved":
                    resolved.add(ref)
                    line(f"{ref}  resolved: {d['resolution']} — dunning resumes")
                    continue
                step = next((s for s in d["steps"] if s["status"] == "open"), None)
                if not step:
                    continue
                if (ref, step["step"]) not in seen and (step["target"] == "internal" or step["external_status"] == "open"):
                    seen.add((ref, step["step"]))
                    line(f"{ref}  next: '{step['title']}' for {who(step)} → {SYSTEM_NAMES[step['target']]}")
                outcome = case["answers"].get(step["step"])
                if outcome and step["target"] != "internal" and step["external_status"] == "open" and \
                        (ref, step["step"], "done") not in seen:
                    agents.complete(step, outcome)
                    seen.add((ref, step["step"], "done"))
                    line(f"{ref}  {who(step)} completes the {SYSTEM_NAMES[step['target']]}: {outcome}")
                # Escalation in levels: the head of credit control gets a ticket of their own in
                # Zendesk, then management a mail (configs/demo/workflows/delivery.json).
                if not case["answers"] and step.get("escalated_at") and \
                        (ref, step["escalated_to"]) not in escalations:
                    escalations.add((ref, step["escalated_to"]))
                    line(f"{ref}  nobody answered: reminders went out, and at {step['escalated_at']} it was "
                         f"escalated to {step['escalated_to']}")
                    if step["escalated_to"] == "management":
                        escalated.add(ref)
            time.sleep(0.3)

        for ref in escalated:
            say(f"{ref}: the dossier shows the reminders and the escalation; the ticket shows them too")
            for e in stack.api("GET", f"/disputes/{ref}/timeline", expect=200)["items"]:
                if e["kind"] in ("step_assigned", "reminder", "escalation"):
                    line(f"{e['at']}  {e['kind']:<14} {e['summary']}")
            step = next(s for s in stack.dispute(ref)["steps"] if s["status"] == "open")
            if step["target"] == "zendesk":
                key = step["task_key"] + "-e1"  # level 1: a ticket of the head of credit control's own
                ticket = ds.wait_for(lambda: zendesk_ticket_with_key(stack.sandboxes["zendesk"].url, key), 30,
                                     "the escalation to reach Zendesk")
                line(f"Zendesk ticket {ticket['id']} ({key}): '{ticket['subject']}', priority "
                     f"{ticket['priority']}, group {ticket.get('group_id')}")
                line("level 2 reached management by mail (task_escalation): see the mail below")

        say("The collection system's feed (GET /api/v1/events): holds placed and released, new due dates")
        for e in stack.api("GET", "/events?after=0&limit=100", expect=200)["items"]:
            line(f"{e['seq']:>3}  {e['kind']:<18} {e['invoice']}  {e['dispute']}  {('due ' + e['due_date']) if e.get('due_date') else ''}")

        say("The report summary (GET /api/v1/reports/summary)")
        summary = stack.api("GET", "/reports/summary", expect=200)
        for row in summary["sections"]["by_category_status"]:
            line(f"{row['category']:<18} {row['status']:<12} {row['disputes']} dispute(s), {row['disputed_amount']} {row['currency']}")

        show_mail(stack)

        say("What the sandboxes saw (their request logs)")
        for system, sandbox in stack.sandboxes.items():
            requests = sandbox.requests()
            line(f"{system:<11} {len(requests)} requests, {agents.created_tasks(system, requests)} task(s) created")

        say("The web app (the same REST API, in a browser)")
        line(f"open        {stack.web_url}/")
        line(f"sign in     {DEMO_LOGIN[0]} / {DEMO_LOGIN[1]}  (local account, credit controller)")
        line(f"        or  'Sign in with Microsoft Entra ID (sandbox)': karin.meijer@example.com / sandbox-password (admin)")
        line(f"a task link {stack.web_url}/disputes/DSP-000001  (what the Zendesk, Salesforce and To Do tasks link to)")
        if not keep:
            line("(the web app stops with the demo: `make demo KEEP=1` keeps everything running)")
        if keep:
            say("Everything keeps running (engine, sandboxes, web app): press Ctrl-C to stop")
            try:
                while stack.serve.poll() is None:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
        code = stack.stop_engine()
        say(f"Done in {time.monotonic() - started:.0f} s; everything stopped (disputed serve exited {code})")
        print(f"""
Where to look next:
  the dossier     DISPUTED_CONFIG={stack.config} DISPUTED_DB={stack.db} \\
                    {build}/bin/disputed dispute show DSP-000001
  the REST API    run the same engine again and use curl with the demo key:
                    DISPUTED_CONFIG={stack.config} DISPUTED_DB={stack.db} {build}/bin/disputed serve &
                    curl -s {stack.api_url}/disputes -H "Authorization: Bearer {stack.key}"
                  (the connectors then need the sandboxes: {build}/bin/disputed-sandbox zendesk --listen ...)
  the docs        README.md, docs/api.md, docs/connectors/, docs/plugin-guide.md, docs/operations.md
""")
    return 0 if len(resolved) == sum(1 for c in refs.values() if c["answers"]) and escalated else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ndemo: interrupted; every child process was stopped")
        sys.exit(130)
