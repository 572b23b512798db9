#!/usr/bin/python3
"""The SMTP transport's sandbox: a real SMTP server (Debian's python3-aiosmtpd) that stores what
it receives as .eml files, for the tests, the benchmark and `make demo`.

    /usr/bin/python3 smtp_sink.py --dir OUT [--tls CERT KEY | --smtps CERT KEY]
                                  [--user app --password secret] [--token good-token]
                                  [--require-auth] [--port N]

Prints "listening PORT" once it accepts connections; stops on SIGTERM or SIGINT. Run it with
Debian's Python (/usr/bin/python3): a python3 earlier on PATH may lack the aiosmtpd module.

- --tls: STARTTLS offered and required before MAIL (530 otherwise), AUTH only after it;
  --smtps: implicit TLS (smtps://).
- AUTH PLAIN and LOGIN take --user/--password, XOAUTH2 takes --token (a bad one gets 535).
- Faults, chosen by the recipient's local part: busy@ -> 450 4.2.1 (transient), nouser@ ->
  550 5.1.1 (permanent), slow@ -> the message is stored, then the reply waits --slow-seconds
  (default 10; a client that gives up sooner cannot know it arrived). A header "X-Test-Reject: yes" -> 554 5.6.0 at
  the end of DATA.
- Each stored file starts with X-Envelope-From, X-Envelope-To, X-Sink-TLS and X-Sink-Login
  lines (what the envelope and the session were), then the message exactly as received;
  written as NNNNNN.eml.tmp and renamed, so a reader never sees half a file.
"""

import argparse
import asyncio
import base64
import itertools
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self, out, token, slow_seconds):
        self.out = out
        self.token = token
        self.slow_seconds = slow_seconds
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local == "busy":
            return "450 4.2.1 Mailbox busy, try later"
        if local == "nouser":
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if b"X-Test-Reject: yes" in envelope.original_content:
            return "554 5.6.0 Message rejected by test"
        path = os.path.join(self.out, "%06d.eml" % next(self.counter))
        login = session.auth_data
        if isinstance(login, LoginPassword):
            login = login.login
        if isinstance(login, bytes):
            login = login.decode("utf-8", "replace")
        implicit = server.transport and server.transport.get_extra_info("ssl_object")
        tls = "yes" if (session.ssl or implicit) else "no"
        with open(path + ".tmp", "wb") as f:
            f.write(("X-Envelope-From: %s\r\n" % envelope.mail_from).encode())
            f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(("X-Sink-TLS: %s\r\n" % tls).encode())
            f.write(("X-Sink-Login: %s\r\n" % (login or "none")).encode())
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        if any(r.split("@", 1)[0].lower() == "slow" for r in envelope.rcpt_tos):
            await asyncio.sleep(self.slow_seconds)
        return "250 2.0.0 Queued"

    async def auth_XOAUTH2(self, server, args):
        if len(args) > 1:
            raw = base64.b64decode(args[1]).decode("utf-8", "replace")
        else:
            raw = (await server.challenge_auth("")).decode("utf-8", "replace")
        fields = dict(p.split("=", 1) for p in raw.split("\x01") if "=" in p)
        ok = fields.get("auth") == "Bearer " + (self.token or "")
        # handled=False: the server answers 535 itself (True would leave the client waiting).
        return AuthResult(success=ok, handled=False, auth_data=fields.get("user"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--token")
    parser.add_argument("--require-auth", action="store_true")
    parser.add_argument("--slow-seconds", type=float, default=10)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and args.user is not None
            and (auth_data.login, auth_data.password)
            == (args.user.encode(), (args.password or "").encode())
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

    kwargs = dict(
        authenticator=authenticator,
        auth_required=args.require_auth,
        auth_require_tls=bool(args.tls),
    )
    controller_kwargs = {}
    if args.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.smtps:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.smtps[0], args.smtps[1])
        controller_kwargs["ssl_context"] = ctx

    last_error = None
    for _ in range(20):
        port = args.port or free_port()
        controller = Controller(
            Sink(args.dir, args.token, args.slow_seconds),
            hostname="127.0.0.1",
            port=port,
            **controller_kwargs,
            **kwargs,
        )
        try:
            controller.start()
            break
        except Exception as error:  # the port was taken in between: take another
            last_error = error
            if args.port:
                break
    else:
        print("cannot listen: %s" % last_error, file=sys.stderr, flush=True)
        return 1
    print("listening %d" % port, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    sys.exit(main())
