"""The whole product on one machine, for `make demo` and the cross-system test.

Starts the three sandboxes (`disputed-sandbox zendesk|salesforce|msgraph`) on free loopback
ports, writes connector instance configs pointing at them (from configs/demo/connectors/),
prepares a database with sample invoices, and runs `disputed serve` (REST API, timers, sync
engine) as a child process that can be stopped cleanly, killed with SIGKILL and restarted.
The agents' side — completing tasks the way a person would, through each system's real API —
is in `Agents`. Standard library only (python3 comes with `make setup`).
"""

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

SYSTEMS = ("zendesk", "salesforce", "msgraph")
DEMO_PORTS = {"zendesk": 18101, "salesforce": 18102, "msgraph": 18103}

# The sandboxes' default credentials (see docs/connectors/*.md); the demo configs name them by
# environment variable, as a real deployment would.
SANDBOX_SECRETS = {
    "DISPUTED_DEMO_ZENDESK_API_TOKEN": "sandbox-token",
    "DISPUTED_DEMO_SALESFORCE_CLIENT_SECRET": "sandbox-secret",
    "DISPUTED_DEMO_MSGRAPH_CLIENT_SECRET": "sandbox-secret",
}


def _die_with_parent():
    """Children get SIGTERM when this process dies, even by SIGKILL (Linux prctl
    PR_SET_PDEATHSIG), so nothing is left running behind a killed demo or test."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except OSError:
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpError(Exception):
    def __init__(self, status, body, method, url):
        super().__init__(f"{method} {url} -> {status}: {body[:500]}")
        self.status = status
        self.body = body


def http(method, url, body=None, headers=None, timeout=30):
    """One request; returns (status, headers, parsed JSON or text). Never raises on HTTP errors."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, bytes):
            data = body
        else:
            data = body.encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            status, answer_headers, raw = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        status, answer_headers, raw = e.code, dict(e.headers), e.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, answer_headers, json.loads(text) if text else None
    except ValueError:
        return status, answer_headers, text


def wait_for(predicate, timeout, what, interval=0.1):
    """Polls predicate() until it returns something truthy; raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


class Sandbox:
    def __init__(self, system, binary, log_path, port=0):
        self.system = system
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [str(binary), system, "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE, stderr=self.log, text=True, preexec_fn=_die_with_parent)
        line = self.process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"sandbox {system} did not start: {line!r} {Path(log_path).read_text()}")
        self.url = match.group(1)
        self.port = int(self.url.rsplit(":", 1)[1])

    def requests(self):
        status, _, body = http("GET", self.url + "/_sandbox/requests")
        if status != 200:
            raise RuntimeError(f"{self.system} sandbox request log: {status} {body}")
        return body["requests"]

    def fault(self, **fault):
        status, _, body = http("POST", self.url + "/_sandbox/faults", fault)
        if status != 201:
            raise RuntimeError(f"{self.system} sandbox refused the fault {fault}: {status} {body}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class MailSink:
    """The smtp plugin's sandbox (plugins/smtp/sandbox/smtp_sink.py: a real SMTP server, Debian's
    python3-aiosmtpd) on a free loopback port, storing each mail it receives as an .eml file."""

    def __init__(self, root, spool, log_path):
        self.spool = Path(spool)
        if self.spool.exists():
            shutil.rmtree(self.spool)
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            ["/usr/bin/python3", str(Path(root) / "plugins" / "smtp" / "sandbox" / "smtp_sink.py"),
             "--dir", str(self.spool)],
            stdout=subprocess.PIPE, stderr=self.log, text=True, preexec_fn=_die_with_parent)
        line = self.process.stdout.readline()
        match = re.match(r"listening (\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"the SMTP sink did not start: {line!r} {Path(log_path).read_text()}")
        self.port = int(match.group(1))

    def files(self):
        """The mails received so far, in order of arrival."""
        return sorted(self.spool.glob("*.eml"))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Stack:
    """Sandboxes + a configured engine. Use as a context manager: everything stops on exit."""

    def __init__(self, root, build, work, fixed_ports=False, clock_start=None, clock_speed=None,
                 tick_interval=1, poll_interval=1, settings=None, public_host="127.0.0.1", mail=False):
        self.root = Path(root)
        self.build = Path(build)
        self.work = Path(work)
        self.bin = self.build / "bin" / "disputed"
        self.sandbox_bin = self.build / "bin" / "disputed-sandbox"
        self.fixed_ports = fixed_ports
        self.clock_start = clock_start
        self.clock_speed = clock_speed
        self.tick_interval = tick_interval
        self.poll_interval = poll_interval
        self.settings = settings or {}  # instance name -> settings merged into its config
        self.public_host = public_host  # how browsers reach the engine (its links say so)
        self.sandboxes = {}
        self.mail = mail  # True: messages go by SMTP to a MailSink (`make demo`)
        self.mail_sink = None
        self.serve = None
        self.serve_log = None
        self.api_url = None
        self.key = None
        self.env = dict(os.environ)

    # ------------------------------------------------------------------ set-up
    def __enter__(self):
        try:
            self.start_sandboxes()
            self.write_configs()
            self.prepare_database()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def start_sandboxes(self):
        self.work.mkdir(parents=True, exist_ok=True)
        for system in SYSTEMS:
            port = DEMO_PORTS[system] if self.fixed_ports else 0
            self.sandboxes[system] = Sandbox(system, self.sandbox_bin, self.work / f"sandbox-{system}.log", port)
        if self.mail:
            self.mail_sink = MailSink(self.root, self.work / "mail", self.work / "smtp-sink.log")

    def write_configs(self):
        """configs/demo with the connector configs pointing at the running sandboxes."""
        configs = self.work / "configs"
        if configs.exists():
            shutil.rmtree(configs)
        shutil.copytree(self.root / "configs", configs)
        demo = configs / "demo"
        self.engine_port = 18080 if self.fixed_ports else free_port()
        engine_text = (demo / "disputed.json").read_text()
        for system, sandbox in self.sandboxes.items():  # the web app signs in at the Graph sandbox
            engine_text = engine_text.replace(f"127.0.0.1:{DEMO_PORTS[system]}", f"127.0.0.1:{sandbox.port}")
        engine_config = json.loads(engine_text)
        engine_config["database"]["path"] = str(self.work / "disputed.db")
        engine_config["server"]["listen"] = f"127.0.0.1:{self.engine_port}"
        engine_config["server"]["public_url"] = f"http://{self.public_host}:{self.engine_port}"
        self.web_url = engine_config["server"]["public_url"]
        if not self.mail_sink:
            # No mail server: messages are recorded as undeliverable on their disputes (the web
            # app's warning; the tests rely on it), whatever configs/demo says.
            engine_config.pop("messaging", None)
        if self.mail_sink:
            # Messages through the smtp connector plugin to the sink: customers in their language
            # (English for one whose language has no templates), staff in Dutch.
            engine_config["messaging"] = {
                "transport": "mail",
                "from": {"address": "disputes@example.com", "name": "Example credit control"},
                "envelope_from": "bounces@example.com",
                "reply_to": "disputes+{dispute}@example.com",
                "templates_dir": "../templates",
                "languages": ["en", "nl", "pl"],
                "staff_language": "nl",
                # One-click links in the task mails and feedback requests, signed with a key this
                # stack makes (a file only the user can read; never in the config or the database).
                "link_keys": [{"id": "demo", "secret": "file:" + str(self.work / "link-key")}],
                # The demo's clock runs fast: a year of demo time is about half an hour.
                "link_valid_days": 90,
                "feedback_valid_days": 365,
            }
            key = self.work / "link-key"
            key.write_bytes(base64.urlsafe_b64encode(os.urandom(48)))
            key.chmod(0o600)
            mail = {"$schema": "../../schemas/connector-instance.schema.json", "name": "mail", "plugin": "smtp",
                    "settings": {"server": f"smtp://127.0.0.1:{self.mail_sink.port}", "tls": "none"}}
            (demo / "connectors" / "mail.json").write_text(json.dumps(mail, indent=2))
        (demo / "disputed.json").write_text(json.dumps(engine_config, indent=2))
        for path in (demo / "connectors").glob("*.json"):
            text = path.read_text()
            for system, sandbox in self.sandboxes.items():
                text = text.replace(f"127.0.0.1:{DEMO_PORTS[system]}", f"127.0.0.1:{sandbox.port}")
            text = text.replace("127.0.0.1:8080", f"{self.public_host}:{self.engine_port}")
            doc = json.loads(text)
            if doc["plugin"] == "smtp":
                continue
            doc["poll_interval_seconds"] = self.poll_interval
            doc["settings"].update(self.settings.get(doc["name"], {}))
            path.write_text(json.dumps(doc, indent=2))
        self.config = demo / "disputed.json"
        self.db = self.work / "disputed.db"
        self.env.update(SANDBOX_SECRETS)
        self.env["DISPUTED_CONFIG"] = str(self.config)
        self.env["DISPUTED_DB"] = str(self.db)
        self.env.setdefault("DISPUTED_USER", "anna.jansen@example.com")
        if self.clock_start:
            self.env["DISPUTED_NOW"] = self.clock_start
            if self.clock_speed:
                self.env["DISPUTED_CLOCK_SPEED"] = str(self.clock_speed)

    def cli(self, *args, check=True):
        """Runs the disputed CLI with the stack's environment; returns its stdout."""
        r = subprocess.run([str(self.bin), *args], env=self.env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"disputed {' '.join(args)} exited {r.returncode}: {r.stderr}{r.stdout}")
        return r.stdout

    def add_user(self, email, role, password, name=""):
        """A local account of the web app (`disputed user add`, password on standard input)."""
        r = subprocess.run([str(self.bin), "user", "add", email, "--role", role, "--name", name],
                           input=password + "\n", env=self.env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"disputed user add {email} exited {r.returncode}: {r.stderr}")

    def prepare_database(self, invoices=None):
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.db) + suffix).unlink(missing_ok=True)
        self.cli("migrate")
        self.cli("import", "invoices", str(invoices or self.root / "configs" / "examples" / "invoices.csv"))
        self.key = json.loads(self.cli("--json", "api-key", "create", "demo", "--role", "admin"))["key"]

    # ------------------------------------------------------------------ the engine
    def start_engine(self):
        self.serve_log = open(self.work / "serve.log", "a")
        self.serve = subprocess.Popen(
            [str(self.bin), "serve", "--tick-interval", str(self.tick_interval)],
            env=self.env, stdout=self.serve_log, stderr=self.serve_log, preexec_fn=_die_with_parent)
        self.api_url = f"http://127.0.0.1:{self.engine_port}/api/v1"

        def healthy():
            if self.serve.poll() is not None:
                raise RuntimeError("disputed serve exited at start-up:\n" + (self.work / "serve.log").read_text()[-3000:])
            try:
                return http("GET", self.api_url + "/healthz", timeout=2)[0] == 200
            except OSError:
                return False
        wait_for(healthy, 30, "disputed serve to answer /healthz")

    def stop_engine(self):
        """SIGTERM and wait: the clean stop. Returns the exit code."""
        if not self.serve or self.serve.poll() is not None:
            return self.serve.returncode if self.serve else 0
        self.serve.send_signal(signal.SIGTERM)
        try:
            code = self.serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.serve.kill()
            code = self.serve.wait()
        self.serve_log.close()
        return code

    def kill_engine(self):
        """SIGKILL: the crash."""
        if self.serve and self.serve.poll() is None:
            self.serve.kill()
            self.serve.wait()
            self.serve_log.close()

    def stop(self):
        if self.serve and self.serve.poll() is None:
            self.stop_engine()
        for sandbox in self.sandboxes.values():
            sandbox.stop()
        if self.mail_sink:
            self.mail_sink.stop()

    # ------------------------------------------------------------------ REST
    def api(self, method, path, body=None, expect=None):
        status, _, answer = http(method, self.api_url + path, body, {"Authorization": "Bearer " + self.key})
        if expect is not None and status != expect:
            raise HttpError(status, json.dumps(answer) if not isinstance(answer, str) else answer, method, path)
        return answer

    def dispute(self, ref):
        return self.api("GET", f"/disputes/{ref}", expect=200)

    def open_step(self, ref):
        steps = [s for s in self.dispute(ref)["steps"] if s["status"] == "open"]
        return steps[0] if steps else None


# ---------------------------------------------------------------------- the people in the systems
class Agents:
    """Acts as the people who work in Zendesk, Salesforce and Microsoft To Do: completes a mirrored
    task with an outcome through the system's real API (the same requests their apps make)."""

    def __init__(self, stack):
        self.stack = stack

    def complete(self, step, outcome, who=None):
        system = step["target"]
        ref = step["external_ref"]
        if not ref:
            raise RuntimeError(f"step {step['step']} has no external task yet")
        return getattr(self, "complete_" + system)(self.stack.sandboxes[system].url, ref, outcome, who)

    # --- Zendesk: an agent solves the ticket, choosing the outcome in the "Dispute outcome"
    # custom field (docs/connectors/zendesk.md). API token auth as the agent.
    ZENDESK_OUTCOME_FIELD = 360000000005

    def complete_zendesk(self, url, ref, outcome, who):
        who = who or "lead@example.com"
        auth = base64.b64encode(f"{who}/token:sandbox-token".encode()).decode()
        body = {"ticket": {"status": "solved",
                           "custom_fields": [{"id": self.ZENDESK_OUTCOME_FIELD, "value": outcome}],
                           "comment": {"body": f"Checked: {outcome}.", "public": False}}}
        return self._expect(http("PUT", f"{url}/api/v2/tickets/{ref}.json", body, {"Authorization": "Basic " + auth}),
                            200, "zendesk solve")

    def zendesk_ticket(self, url, ref, who="lead@example.com"):
        auth = base64.b64encode(f"{who}/token:sandbox-token".encode()).decode()
        status, _, body = http("GET", f"{url}/api/v2/tickets/{ref}.json", None, {"Authorization": "Basic " + auth})
        return body["ticket"] if status == 200 else None

    # --- Salesforce: the rep closes the Task with the outcome in Dispute_Outcome__c
    # (docs/connectors/salesforce.md); the sandbox hands out a session for any user.
    def complete_salesforce(self, url, ref, outcome, who):
        who = who or "rep@example.com"
        session = self._expect(http("POST", f"{url}/_sandbox/sessions", {"user": who}), 201, "salesforce session")
        return self._expect(http("PATCH", f"{url}/services/data/v62.0/sobjects/Task/{ref}",
                                 {"Status": "Completed", "Dispute_Outcome__c": outcome},
                                 {"Authorization": "Bearer " + session["access_token"]}), 204, "salesforce close")

    # --- Microsoft To Do: the user marks the task completed and tags it with the outcome as a
    # category (docs/connectors/msgraph.md). External ref: "<user>|<list id>|<task id>".
    def complete_msgraph(self, url, ref, outcome, who):
        user, list_id, task_id = ref.split("|")
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "sandbox-client",
                                       "client_secret": "sandbox-secret",
                                       "scope": "https://graph.microsoft.com/.default"})
        token = self._expect(http("POST", f"{url}/sandbox-tenant/oauth2/v2.0/token", form,
                                  {"Content-Type": "application/x-www-form-urlencoded"}), 200, "graph token")
        path = "/".join(urllib.parse.quote(p, safe="@") for p in (user, list_id, task_id))
        user_q, list_q, task_q = path.split("/")
        return self._expect(http("PATCH", f"{url}/v1.0/users/{user_q}/todo/lists/{list_q}/tasks/{task_q}",
                                 {"status": "completed", "categories": [outcome]},
                                 {"Authorization": "Bearer " + token["access_token"]}), 200, "graph complete")

    @staticmethod
    def _expect(answer, status, what):
        if answer[0] != status:
            raise RuntimeError(f"{what}: expected {status}, got {answer[0]}: {answer[2]}")
        return answer[2]

    def task_keys(self, system):
        """disputed's key of every task the sandbox holds (deleted Graph tasks excluded), from the
        sandbox's state: a key listed twice is a duplicate task."""
        url = self.stack.sandboxes[system].url
        if system == "zendesk":
            return [t.get("external_id") for t in http("GET", url + "/_sandbox/tickets")[2]["tickets"] if t.get("external_id")]
        if system == "salesforce":
            return [t.get("Dispute_Action_Id__c") for t in http("GET", url + "/_sandbox/tasks")[2]["tasks"]
                    if t.get("Dispute_Action_Id__c")]
        keys = []
        for t in http("GET", url + "/_sandbox/state")[2]["tasks"]:
            if not t.get("deleted"):
                keys += [r.get("externalId") for r in t.get("linkedResources", []) if r.get("externalId")]
        return keys

    @staticmethod
    def created_tasks(system, requests):
        """Tasks the connector created, counted from a sandbox's request log: the successful
        create requests (Zendesk POST tickets 201, Salesforce upsert by external id 201, Graph
        POST tasks 201). A 201 the sandbox marks "replayed" answered a repeated Idempotency-Key
        (the engine retries a create it lost the answer to, e.g. after a kill) and made nothing.
        Salesforce's batched creates (one sObject Collections call for many Tasks) are not
        counted here: use task_keys() for them."""
        def is_create(r):
            if r["status"] != 201 or r.get("replayed", False):
                return False
            if system == "zendesk":
                return r["method"] == "POST" and r["path"] in ("/api/v2/tickets", "/api/v2/tickets.json")
            if system == "salesforce":
                return r["method"] == "PATCH" and "/sobjects/Task/Dispute_Action_Id__c/" in r["path"]
            return r["method"] == "POST" and re.fullmatch(r"/v1\.0/users/[^/]+/todo/lists/[^/]+/tasks", r["path"]) is not None
        return sum(1 for r in requests if is_create(r))
