#!/usr/bin/env python3
"""Cross-system test: `disputed serve` with the three sandboxes, disputes whose workflow uses
all three systems in sequence — support assesses the complaint in Zendesk, the sales manager
approves the credit in Salesforce, finance issues the credit note from a Microsoft To Do task —
completed through the sandboxes' real APIs as the people would. Checks the resolution, the
dunning holds and the new due dates, the timeline, the reports, and that each sandbox's request
log shows exactly one task created per step. Then the same with the engine killed (SIGKILL) and
restarted twice in the middle; then, for each system, the engine killed while a create it sent
waits for its (delayed) answer — between the apply and the commit — which must not yield a
second task.

    cross_system.py SOURCE_DIR BUILD_DIR
"""

import datetime
import json
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import disputed_stack as ds  # noqa: E402

PATH = [  # the quality workflow of configs/demo: (step, system, outcome)
    ("assess-complaint", "zendesk", "justified"),
    ("approve-credit", "salesforce", "approved"),
    ("issue-credit-note", "msgraph", "issued"),
]
DISPUTES = 3
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("  FAIL:", message)


def expected_due_date(root, released_at):
    """The credit-note policy of configs/disputed.json: release date + 14 days, rolled forward to
    a working day of the NL calendar (weekends and holidays-nl.json)."""
    policy = json.loads((root / "configs/disputed.json").read_text())["dunning"]["resume"]["credit_note"]
    holidays = {h["date"] for h in json.loads((root / "configs/calendars/holidays-nl.json").read_text())["holidays"]}
    local = released_at.astimezone(zoneinfo.ZoneInfo("Europe/Amsterdam")).date()
    due = local + datetime.timedelta(days=policy["days_after_release"])
    while policy["roll_to_working_day"] and (due.weekday() >= 5 or due.isoformat() in holidays):
        due += datetime.timedelta(days=1)
    return due.isoformat()


def wait_open_mirrored(stack, ref, step_id):
    def ready():
        step = stack.open_step(ref)
        if step and step["step"] == step_id and step["external_status"] == "open":
            return step
        return None
    return ds.wait_for(ready, 60, f"{ref}: step {step_id} mirrored and open")


def run(stack, agents, root, crash):
    label = "with kills" if crash else "clean"
    stack.start_engine()
    print(f"cross_system ({label}): engine on {stack.api_url}")
    refs, invoices = [], []
    base = 40 if crash else 10
    for i in range(DISPUTES):
        number = f"INV-2026-{base + i:04d}"
        answer = stack.api("POST", "/disputes", {
            "invoices": [{"number": number, "amount": "100.00"}], "category": "quality", "channel": "phone",
            "description": f"Damaged goods on delivery ({label} {i})"}, expect=201)
        refs.append(answer["ref"])
        invoices.append(number)
    for number in invoices:
        state = stack.api("GET", f"/invoices/{number}", expect=200)
        check(state["collectable"] is False, f"{number}: not on hold after registration: {state}")

    if crash:  # while the first creates are being delivered
        stack.kill_engine()
        stack.start_engine()

    for stage, (step_id, system, outcome) in enumerate(PATH):
        for ref in refs:
            step = wait_open_mirrored(stack, ref, step_id)
            check(step["target"] == system, f"{ref}: {step_id} went to {step['target']}, not {system}")
            agents.complete(step, outcome)
        if crash and stage == 1:  # completions made in Salesforce, not yet polled
            stack.kill_engine()
            stack.start_engine()

    for ref in refs:
        ds.wait_for(lambda: stack.dispute(ref)["status"] == "resolved", 60, f"{ref} resolved")

    events = stack.api("GET", "/events?after=0&limit=1000", expect=200)["items"]
    for ref, number in zip(refs, invoices):
        d = stack.dispute(ref)
        check(d["resolution"] == "credit_note", f"{ref}: resolution {d['resolution']}")
        steps = {s["step"]: s for s in d["steps"]}
        for step_id, system, outcome in PATH:
            s = steps.get(step_id)
            check(s is not None, f"{ref}: no step {step_id}")
            if not s:
                continue
            check(s["status"] == "completed" and s["outcome"] == outcome,
                  f"{ref}: {step_id} {s['status']} with outcome {s['outcome']}")
            check(bool(s["completed_by"]) and bool(s["completed_at"]), f"{ref}: {step_id} without who/when: {s}")
            check(s["external_ref"] is not None, f"{ref}: {step_id} has no external ref")
        timeline = stack.api("GET", f"/disputes/{ref}/timeline", expect=200)["items"]
        completed = [e for e in timeline if e["kind"] == "step_completed"]
        check(len(completed) == len(PATH), f"{ref}: {len(completed)} step_completed entries in the timeline")
        check(all(e["actor"] and e["at"] for e in completed), f"{ref}: a completion without actor or time")

        placed = [e for e in events if e["invoice"] == number and e["kind"] == "hold_placed"]
        released = [e for e in events if e["invoice"] == number and e["kind"] == "hold_released"]
        check(len(placed) == 1 and len(released) == 1, f"{number}: holds placed {len(placed)}, released {len(released)}")
        state = stack.api("GET", f"/invoices/{number}", expect=200)
        check(state["collectable"] is True, f"{number}: still on hold")
        if released:
            at = datetime.datetime.fromisoformat(released[0]["at"].replace("Z", "+00:00"))
            want = expected_due_date(root, at)
            check(released[0]["due_date"] == want, f"{number}: released with due date {released[0]['due_date']}, policy says {want}")
            check(state["due_date"] == want, f"{number}: invoice due {state['due_date']}, policy says {want}")

    summary = stack.api("GET", "/reports/summary?category=quality", expect=200)
    resolved = sum(r["disputes"] for r in summary["sections"]["by_category_status"]
                   if r["category"] == "quality" and r["status"] == "resolved")
    check(resolved >= len(refs), f"summary report counts {resolved} resolved quality disputes")
    sla = stack.api("GET", "/reports/sla?category=quality", expect=200)
    check(bool(sla["sections"]), "SLA report is empty")

    code = stack.stop_engine()
    check(code == 0, f"serve exited {code} on SIGTERM")
    return refs


def kill_between_apply_and_commit(stack, agents):
    """Each system's create request reaches the sandbox and is carried out only after a delay; the
    engine is killed with SIGKILL while it waits for the answer (so it never commits the external
    ref), then restarted: the re-delivery must find the task, not create a second one."""
    print("cross_system (killed between apply and commit)")
    cases = {"zendesk": "quality", "salesforce": "price", "msgraph": "duplicate-invoice"}
    delay_ms = 3000
    create_paths = {"zendesk": ("POST", "/api/v2/tickets"),
                    # single upserts and sObject Collections upserts alike
                    "salesforce": ("PATCH", "/services/data/v62.0/*")}
    # Graph: the finance user's task list is known from the earlier runs.
    graph_posts = [r for r in stack.sandboxes["msgraph"].requests()
                   if r["method"] == "POST" and r["status"] == 201 and r["path"].endswith("/tasks")]
    create_paths["msgraph"] = ("POST", graph_posts[-1]["path"])
    before = count_creates(stack, agents)
    for system, (method, path) in create_paths.items():
        stack.sandboxes[system].fault(method=method, path=path, delay_ms=delay_ms, times=1)
    stack.start_engine()
    refs = {}
    for i, (system, category) in enumerate(cases.items()):
        d = stack.api("POST", "/disputes", {"invoices": [{"number": f"INV-2026-{70 + i:04d}"}], "category": category,
                                            "channel": "email", "description": f"kill test {system}"}, expect=201)
        refs[system] = d["ref"]
    time.sleep(delay_ms / 2000)
    killed_at = datetime.datetime.now(datetime.timezone.utc)
    stack.kill_engine()
    stack.start_engine()
    for system, ref in refs.items():
        step = wait_open_mirrored(stack, ref, stack.open_step(ref)["step"])
        check(step["target"] == system, f"{ref}: first step went to {step['target']}, not {system}")
    after = count_creates(stack, agents)
    for system, (method, path) in create_paths.items():
        check(after[system] - before[system] == 1,
              f"{system}: {after[system] - before[system]} task(s) created for one step across the kill")
        prefix = path[:-1] if path.endswith("*") else None
        stalled = [r for r in stack.sandboxes[system].requests()
                   if r["method"] == method and (r["path"].startswith(prefix) if prefix else r["path"] == path)
                   and 200 <= r["status"] < 300]
        arrived = [datetime.datetime.fromisoformat(r["at"].replace("Z", "+00:00")) - datetime.timedelta(milliseconds=delay_ms)
                   for r in stalled]
        check(any(t < killed_at for t in arrived),
              f"{system}: no create request reached the sandbox before the kill (the scenario did not happen)")
    code = stack.stop_engine()
    check(code == 0, f"serve exited {code} on SIGTERM")


def count_creates(stack, agents):
    """Tasks per system: from the sandboxes' state (every task, each key once — a key held twice
    is reported as a duplicate) and, for Zendesk and Graph, the successful create requests in
    the request logs, which must agree (Salesforce batches creates into sObject Collections
    calls, whose log entry does not say how many Tasks each made)."""
    counts = {}
    for system in ds.SYSTEMS:
        keys = agents.task_keys(system)
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        check(not duplicates, f"{system}: duplicate tasks for {duplicates}")
        if system != "salesforce":
            logged = agents.created_tasks(system, stack.sandboxes[system].requests())
            check(logged == len(keys), f"{system}: request log shows {logged} creates, the sandbox holds {len(keys)} tasks")
        counts[system] = len(keys)
    return counts


def main():
    root, build = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    with tempfile.TemporaryDirectory(prefix="cross-system-") as work:
        # Graph's settle window after a possibly lost create is twice the request timeout.
        with ds.Stack(root, build, work, settings={"msgraph": {"request_timeout_ms": 4000}}) as stack:
            agents = ds.Agents(stack)
            before = count_creates(stack, agents)
            run(stack, agents, root, crash=False)
            after_clean = count_creates(stack, agents)
            for system in ds.SYSTEMS:
                made = after_clean[system] - before[system]
                check(made == DISPUTES, f"{system}: {made} task(s) created for {DISPUTES} steps (clean run)")
            run(stack, agents, root, crash=True)
            after_crash = count_creates(stack, agents)
            for system in ds.SYSTEMS:
                made = after_crash[system] - after_clean[system]
                check(made == DISPUTES, f"{system}: {made} task(s) created for {DISPUTES} steps (run with kills)")
            kill_between_apply_and_commit(stack, agents)
            print("tasks created per system:", count_creates(stack, agents))
            if failures:
                for name in ("serve.log",):
                    print(f"--- {name} (tail)\n" + (Path(work) / name).read_text()[-4000:])
    if failures:
        print(f"cross_system: {len(failures)} failure(s)")
        return 1
    print("cross_system: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
