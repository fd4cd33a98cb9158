#!/usr/bin/env python3
"""Prints a JSON snapshot of an IMAP account, read with Python's imaplib.

The end-to-end tests compare what mailferry uploaded with what an independent
IMAP client sees on the server: per folder, every message's UID, flags,
INTERNALDATE (as epoch seconds), size and SHA-256 of its exact bytes.

usage: imap_snapshot.py HOST PORT USER PASSWORD_FILE CA_FILE
"""
import base64
import hashlib
import imaplib
import json
import re
import ssl
import sys
import time


def decode_mutf7(name: str) -> str:
    """Modified UTF-7 (RFC 3501 5.1.3) to text."""
    out, i = [], 0
    while i < len(name):
        if name[i] == "&":
            j = name.index("-", i)
            if j == i + 1:
                out.append("&")
            else:
                chunk = name[i + 1 : j].replace(",", "/")
                chunk += "=" * (-len(chunk) % 4)
                out.append(base64.b64decode(chunk).decode("utf-16-be"))
            i = j + 1
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


LIST_RE = re.compile(rb'\((?P<attrs>[^)]*)\) (?P<delim>"[^"]*"|NIL) (?P<name>.*)$')
FETCH_RE = re.compile(rb"UID (\d+)|FLAGS \(([^)]*)\)|INTERNALDATE \"([^\"]+)\"")


def folder_names(imap):
    typ, lines = imap.list('""', "*")
    names = []
    for line in lines:
        if isinstance(line, tuple):  # a name sent as a literal
            attrs_part, name = line
            attrs = attrs_part
            raw = name
        else:
            m = LIST_RE.match(line)
            attrs, raw = m.group("attrs"), m.group("name")
            if raw.startswith(b'"'):
                raw = raw[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
        if b"\\Noselect" in attrs or b"\\NonExistent" in attrs:
            continue
        names.append(raw.decode("ascii"))
    return names


def snapshot_folder(imap, wire_name):
    quoted = '"' + wire_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    typ, _ = imap.select(quoted, readonly=True)
    if typ != "OK":
        raise SystemExit(f"cannot select {wire_name}")
    typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE BODY.PEEK[])")
    messages = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, body = item
        uid = flags = date = None
        for m in FETCH_RE.finditer(meta):
            if m.group(1):
                uid = int(m.group(1))
            if m.group(2) is not None:
                flags = sorted(f.decode() for f in m.group(2).split())
            if m.group(3):
                date = m.group(3).decode()
        # Internaldate2tuple gives local time; mktime turns it back into epoch seconds.
        parsed = imaplib.Internaldate2tuple(b'INTERNALDATE "' + date.encode() + b'"')
        epoch = int(time.mktime(parsed)) if parsed else None
        messages.append(
            {
                "uid": uid,
                "flags": flags or [],
                "internaldate": date,
                "epoch": epoch,
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )
    return messages


def main():
    host, port, user, password_file, ca_file = sys.argv[1:6]
    with open(password_file) as f:
        password = f.readline().rstrip("\r\n")
    context = ssl.create_default_context(cafile=ca_file)
    imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context)
    imap.login(user, password)
    result = {}
    for wire_name in folder_names(imap):
        result[decode_mutf7(wire_name)] = snapshot_folder(imap, wire_name)
    imap.logout()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
