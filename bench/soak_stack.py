#!/usr/bin/env python3
"""The connectors' side of `bench/soak.sh --connectors`: starts the three sandboxes (Zendesk,
Salesforce, Microsoft Graph) on free loopback ports and writes the demo configuration pointing at
them (scripts/disputed_stack.py, as `make demo` and e2e.cross_system do), then plays the people
in those systems while the soak runs: it completes mirrored tasks of recent disputes through each
system's real API, so the connectors' pollers bring completions back into `disputed serve`.

    soak_stack.py SOURCE_DIR BUILD_DIR WORK_DIR

Writes WORK_DIR/stack.env (DISPUTED_CONFIG's folder and the sandbox secrets, for the shell),
waits for WORK_DIR/engine (line 1: the API URL, line 2: a key), completes tasks until SIGTERM,
then writes WORK_DIR/agents.txt (completions made, failures) and stops the sandboxes.
"""

import json
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import disputed_stack as ds  # noqa: E402

root, build, work = (Path(a).resolve() for a in sys.argv[1:4])
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
stack = ds.Stack(root, build, work / "stack", poll_interval=1, tick_interval=1)
stack.start_sandboxes()
stack.write_configs()
with open(work / "stack.env", "w") as f:
    f.write(f"bench_configs={stack.config.parent}\n")
    for name, value in ds.SANDBOX_SECRETS.items():
        f.write(f"export {name}={value}\n")
    for system, sandbox in stack.sandboxes.items():
        f.write(f"sandbox_{system}={sandbox.url}\n")
print("soak_stack: sandboxes " + ", ".join(f"{s} {b.url}" for s, b in stack.sandboxes.items()), flush=True)

engine = work / "engine"
while not engine.exists() and not stop:
    time.sleep(0.2)
completed, failures, done = {s: 0 for s in ds.SYSTEMS}, [], set()
if not stop:
    api, key = engine.read_text().split()[:2]
    agents = ds.Agents(stack)
    auth = {"Authorization": "Bearer " + key}
    while not stop:
        status, _, page = ds.http("GET", api + "/disputes?order=newest&limit=1", None, auth)
        if status != 200 or not page.get("items"):
            time.sleep(0.5)
            continue
        newest = page["items"][0]["id"]
        # A recent dispute: its first step is mirrored by now (or soon).
        dispute_id = random.randint(max(1, newest - 3000), max(1, newest - 300))
        status, _, dispute = ds.http("GET", f"{api}/disputes/{dispute_id}", None, auth)
        if status != 200:
            continue
        for step in dispute.get("steps", []):
            if step.get("status") != "open" or step.get("external_status") != "open":
                continue
            ref = step.get("external_ref")
            outcomes = step.get("outcomes") or []
            if not ref or ref in done or not outcomes:
                continue
            outcome = outcomes[0] if isinstance(outcomes[0], str) else outcomes[0].get("outcome")
            try:
                agents.complete(step, outcome)
                completed[step["target"]] += 1
                done.add(ref)
            except Exception as e:  # noqa: BLE001 - reported, not fatal: the soak goes on
                failures.append(f"{step['target']} {ref}: {e}"[:300])
(work / "agents.txt").write_text(json.dumps({"completed": completed, "failures": failures[:20],
                                             "failure_count": len(failures)}))
stack.stop()
