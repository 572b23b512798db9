#!/usr/bin/python3
"""Reads .eml files the SMTP sink stored with Python's email package (a real MIME parser, not
ours) and prints them as one JSON array, for tests that assert what a person received:

    /usr/bin/python3 read_mail.py FILE_OR_DIR...

Each message: file, envelope (from, to, tls, login), headers (name -> list of values, decoded
as a mail client shows them), raw_headers (name -> list, as on the wire), content_type, parts
(content types in walk order), text, html, attachments (filename, content_type, size) and links
(every http(s) URL in the text body and every href in the HTML body, in order).
"""

import email
import email.policy
import html.parser
import json
import os
import re
import sys


class Hrefs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.links.append(value)


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    raw_message = email.message_from_bytes(raw, policy=email.policy.compat32)
    headers, raw_headers = {}, {}
    for name, value in message.items():
        headers.setdefault(name.lower(), []).append(str(value))
    for name, value in raw_message.items():
        raw_headers.setdefault(name.lower(), []).append(str(value))
    text = html_body = None
    attachments, parts = [], []
    for part in message.walk():
        parts.append(part.get_content_type())
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            attachments.append(
                {
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "size": len(part.get_payload(decode=True) or b""),
                }
            )
        elif part.get_content_type() == "text/plain" and text is None:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and html_body is None:
            html_body = part.get_content()
    links = re.findall(r"https?://[^\s<>\"')]+", text or "")
    if html_body:
        parser = Hrefs()
        parser.feed(html_body)
        links += parser.links
    envelope = {
        "from": message.get("X-Envelope-From"),
        "to": (message.get("X-Envelope-To") or "").split(",") if message.get("X-Envelope-To") else [],
        "tls": message.get("X-Sink-TLS"),
        "login": message.get("X-Sink-Login"),
    }
    return {
        "file": os.path.basename(path),
        "envelope": envelope,
        "headers": headers,
        "raw_headers": raw_headers,
        "content_type": message.get_content_type(),
        "parts": parts,
        "text": text,
        "html": html_body,
        "attachments": attachments,
        "links": links,
        "defects": [type(d).__name__ for d in message.defects],
    }


def main(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(
                os.path.join(p, f) for f in os.listdir(p) if f.endswith(".eml")
            )
        else:
            files.append(p)
    json.dump([read(f) for f in files], sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
