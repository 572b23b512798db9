#!/usr/bin/env python3
"""The web app in a real browser (ctest web.browser): `disputed serve` with the three sandboxes
(the Graph sandbox is also the identity provider), local accounts made with `disputed user add`,
then tests/web/app.test.mjs under Node's test runner driving Debian's headless Chromium
(playwright-core, executablePath /usr/bin/chromium; nothing is downloaded).

    browser_test.py SOURCE_DIR BUILD_DIR

Screenshots of every page go to BUILD_DIR/screenshots/.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

root, build = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
sys.path.insert(0, str(root / "scripts"))
import disputed_stack as ds  # noqa: E402

PASSWORD = "a long local password"
USERS = [("anna.jansen@example.com", "controller", "Anna Jansen"),
         ("pieter.devries@example.com", "controller", "Pieter de Vries"),
         ("erik.mulder@example.com", "viewer", "Erik Mulder")]


def main():
    chromium = os.environ.get("CHROME_BIN", "/usr/bin/chromium")
    if not Path(chromium).exists():
        sys.exit(f"browser_test: {chromium} is missing (make setup installs Debian's chromium)")
    if not (root / "node_modules" / "playwright-core").exists():
        sys.exit("browser_test: node_modules is missing (make setup runs npm ci)")
    work = build / "web-test"
    shutil.rmtree(work, ignore_errors=True)
    shots = build / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    # The app on "localhost", the identity provider on 127.0.0.1: another site, as in real life.
    with ds.Stack(root, build, work, public_host="localhost", tick_interval=1, poll_interval=1) as stack:
        for email, role, name in USERS:
            stack.add_user(email, role, PASSWORD, name)
        stack.start_engine()
        env = dict(os.environ)
        env.update({
            "BASE_URL": stack.web_url,
            "API_KEY": stack.key,
            "GRAPH_URL": stack.sandboxes["msgraph"].url,
            "LOCAL_PASSWORD": PASSWORD,
            "SCREENSHOTS": str(shots),
            "CHROME_BIN": chromium,
            "NODE_PATH": str(root / "node_modules"),
        })
        r = subprocess.run(["node", "--test", "--test-reporter=spec", "--test-concurrency=1",
                            str(root / "tests" / "web" / "app.test.mjs")], env=env, cwd=root)
        if r.returncode != 0:
            log = (work / "serve.log").read_text()[-4000:]
            print("---- disputed serve (last lines)\n" + log)
        return r.returncode


if __name__ == "__main__":
    sys.exit(main())
