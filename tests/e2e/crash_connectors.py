#!/usr/bin/env python3
"""Crash test with the three real connectors (issue 13): `disputed serve` with the Zendesk,
Salesforce and Microsoft Graph plugins against their sandboxes, killed with SIGKILL again and
again while disputes are registered, their steps mirrored into the three systems, the people
complete them there, and the sandboxes inject faults (500, 503, 429 with Retry-After, dropped
connections, answers lost or spoilt after the effect, slow answers). Each dispute of the quality
workflow goes Zendesk -> Salesforce -> Microsoft To Do. After the kills the engine runs until every
dispute is resolved; then:

  - one external task per step in each system (no key twice, as many tasks as steps),
  - every completion applied once (three step_completed per dispute, each step once),
  - every dispute resolved with its three steps completed with the person's outcome,
  - the collection feed complete and in order: seq strictly increasing, each invoice placed on
    hold first, then resolved once and released once with its new due date.

    crash_connectors.py SOURCE_DIR BUILD_DIR [--kills N] [--disputes D] [--seed S]

(`bash tests/e2e/crash_test.sh --connectors --kills 100` runs it too.)
"""

import argparse
import http.client
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import disputed_stack as ds  # noqa: E402

PATH = [("assess-complaint", "zendesk", "justified"),
        ("approve-credit", "salesforce", "approved"),
        ("issue-credit-note", "msgraph", "issued")]
TARGETS = "('zendesk', 'salesforce', 'msgraph')"  # the connector instances of configs/demo
API_PATHS = {"zendesk": "/api/v2/*", "salesforce": "/services/data/*", "msgraph": "/v1.0/*"}
# What the sandboxes do to a request now and then (each fault once to three times).
FAULTS = [{"status": 500}, {"status": 503}, {"status": 429, "retry_after": 1}, {"drop": True},
          {"answer": "lost"}, {"answer": "malformed_json"}, {"answer": "truncated"},
          {"answer": "wrong_content_type"}, {"delay_ms": 1500}]


def fail(message):
    print("crash_connectors: FAIL:", message)
    return 1


def db_count(db, sql):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as c:
        return c.execute(sql).fetchone()[0]


def complete_open_steps(stack, agents, refs, rng, at_most):
    """The people complete up to `at_most` mirrored, open steps with the workflow's outcome."""
    outcome = {step: out for step, _, out in PATH}
    done = 0
    for ref in rng.sample(refs, len(refs)):
        if done >= at_most:
            break
        step = stack.open_step(ref)
        if not step or not step.get("external_ref") or step.get("external_status") != "open":
            continue
        # The sandboxes' faults meet the people's requests too: like a person, try again.
        for attempt in range(6):
            try:
                agents.complete(step, outcome[step["step"]])
                break
            except (RuntimeError, OSError, http.client.HTTPException) as error:
                if attempt == 5:
                    raise RuntimeError(f"{ref}: could not complete {step['step']}: {error}")
                time.sleep(0.3)
        done += 1
    return done


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source_dir")
    parser.add_argument("build_dir")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--disputes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    root, build = Path(args.source_dir).resolve(), Path(args.build_dir).resolve()
    started = time.monotonic()
    print(f"crash_connectors: {args.kills} kills, {args.disputes} disputes, seed {seed}")

    with tempfile.TemporaryDirectory(prefix="crash-connectors-") as work, \
            ds.Stack(root, build, work, settings={"msgraph": {"request_timeout_ms": 4000}}) as stack:
        agents = ds.Agents(stack)
        refs, invoices = [], {}
        per_round = max(1, -(-args.disputes // max(1, args.kills // 2)))
        busy_kills = faults = completed_by_people = 0
        for kill in range(args.kills):
            stack.start_engine()
            for _ in range(min(per_round, args.disputes - len(refs))):
                number = f"INV-2026-{len(refs) + 1:04d}"
                d = stack.api("POST", "/disputes", {
                    "invoices": [{"number": number, "amount": "100.00"}], "category": "quality",
                    "channel": "email", "description": f"crash test dispute {len(refs) + 1}"},
                    expect=201)
                refs.append(d["ref"])
                invoices[d["ref"]] = number
            if rng.random() < 0.7:
                system = rng.choice(ds.SYSTEMS)
                fault = dict(rng.choice(FAULTS), path=API_PATHS[system], times=rng.randint(1, 3))
                stack.sandboxes[system].fault(**fault)
                faults += 1
            completed_by_people += complete_open_steps(stack, agents, refs, rng, rng.randint(1, 4))
            time.sleep(rng.uniform(0.0, 0.6))
            stack.kill_engine()
            # A kill is "busy" when work was outstanding: an action not yet delivered, or a
            # completion made in a system and not yet applied.
            pending = db_count(stack.db, f"SELECT COUNT(*) FROM outbox WHERE target IN {TARGETS} "
                                         "AND state = 'pending'")
            applied = db_count(stack.db, f"SELECT COUNT(*) FROM steps WHERE target IN {TARGETS} "
                                         "AND status = 'completed'")
            busy_kills += pending > 0 or applied < completed_by_people
        killed_in = time.monotonic() - started
        print(f"crash_connectors: {args.kills} kills in {killed_in:.0f} s, {busy_kills} with work "
              f"outstanding, {faults} faults injected")

        # Drain: the engine runs on while the people complete what is open, until all is resolved.
        stack.start_engine()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            complete_open_steps(stack, agents, refs, rng, len(refs))
            if all(stack.dispute(r)["status"] == "resolved" for r in refs):
                break
            time.sleep(0.5)

        # The verdict.
        problems = []
        steps_per_system = {s: 0 for s in ds.SYSTEMS}
        completions = 0
        for ref in refs:
            d = stack.dispute(ref)
            if d["status"] != "resolved":
                problems.append(f"{ref}: {d['status']}, not resolved")
            steps = {s["step"]: s for s in d["steps"]}
            for step_id, system, outcome in PATH:
                s = steps.get(step_id)
                if not s:
                    problems.append(f"{ref}: no step {step_id}")
                    continue
                steps_per_system[system] += 1
                if s["status"] != "completed" or s["outcome"] != outcome or not s["external_ref"]:
                    problems.append(f"{ref}: {step_id} {s['status']} / {s['outcome']} / "
                                    f"ref {s['external_ref']}")
            timeline = stack.api("GET", f"/disputes/{ref}/timeline?limit=1000", expect=200)["items"]
            completed = [e for e in timeline if e["kind"] == "step_completed"]
            completions += len(completed)
            if len(completed) != len(PATH):
                problems.append(f"{ref}: {len(completed)} completions applied for {len(PATH)} steps")
        tasks = {}
        for system in ds.SYSTEMS:
            keys = agents.task_keys(system)
            tasks[system] = len(keys)
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                problems.append(f"{system}: more than one task for {twice}")
            if len(keys) != steps_per_system[system]:
                problems.append(f"{system}: {len(keys)} tasks for {steps_per_system[system]} steps")
        events, after = [], 0
        while True:
            page = stack.api("GET", f"/events?after={after}&limit=1000", expect=200)
            events += page["items"]
            if not page["items"]:
                break
            after = page["next_after"]
        seqs = [e["seq"] for e in events]
        if seqs != sorted(set(seqs)):
            problems.append("the collection feed is not in strictly increasing seq order")
        for ref, number in invoices.items():
            mine = [e for e in events if e["invoice"] == number and e["dispute"] == ref]
            kinds = sorted(e["kind"] for e in mine)
            if kinds != ["dispute_resolved", "hold_placed", "hold_released"] \
                    or mine[0]["kind"] != "hold_placed" \
                    or not any(e["kind"] == "hold_released" and e["due_date"] for e in mine):
                problems.append(f"{number}: feed {[e['kind'] for e in mine]}")
        dead = db_count(stack.db, f"SELECT COUNT(*) FROM outbox WHERE target IN {TARGETS} "
                                  "AND state <> 'done'")
        if dead:
            problems.append(f"{dead} connector actions not done")
        code = stack.stop_engine()
        if code != 0:
            problems.append(f"serve exited {code} on SIGTERM")
        elapsed = time.monotonic() - started
        print(f"crash_connectors: kills={args.kills} busy_kills={busy_kills} faults={faults} "
              f"disputes={len(refs)} tasks={tasks} completions={completions} feed_events={len(events)} "
              f"seconds={elapsed:.0f}")
        if problems:
            for p in problems[:40]:
                print("  FAIL:", p)
            print("--- serve.log (tail)\n" + (Path(work) / "serve.log").read_text()[-4000:])
            return fail(f"{len(problems)} problem(s) (seed {seed})")
    print("crash_connectors: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
