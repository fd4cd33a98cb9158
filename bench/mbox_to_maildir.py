#!/usr/bin/env python3
"""Copies an mbox file into a new Maildir, for the mbsync rows of run.sh.

  mbox_to_maildir.py MBOX MAILDIR

Each message's bytes are copied as they are (the "From " line dropped, no
header rewritten, no ">From" unquoting), one file each, in mbox order. The
Status and X-Status headers become Maildir flags, as mail clients read them:
Status R -> S (seen), X-Status A -> R (answered), F -> F (flagged), D -> T
(deleted); a message with Status O (seen as new) goes to cur/, one without
to new/. Prints one line of JSON: {"messages": N, "bytes": total size}.
"""
import json
import os
import sys


def flags_of(header):
    """Maildir flags (sorted) and whether the message was already seen as new."""
    status, xstatus = "", ""
    for line in header.split(b"\n"):
        low = line.lower()
        if low.startswith(b"status:"):
            status = line[7:].strip().decode("ascii", "replace")
        elif low.startswith(b"x-status:"):
            xstatus = line[9:].strip().decode("ascii", "replace")
    flags = set()
    if "R" in status:
        flags.add("S")
    for mbox_flag, maildir_flag in (("A", "R"), ("F", "F"), ("D", "T")):
        if mbox_flag in xstatus:
            flags.add(maildir_flag)
    return "".join(sorted(flags)), "O" in status or bool(flags)


def main():
    mbox, maildir = sys.argv[1], sys.argv[2]
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub))
    count, total = 0, 0

    def store(lines):
        nonlocal count, total
        # The empty line before the next "From " line separates; it is not mail.
        if lines and lines[-1] in (b"\n", b"\r\n"):
            lines.pop()
        data = b"".join(lines)
        end = data.find(b"\n\n")
        flags, seen = flags_of(data[:end if end >= 0 else len(data)])
        count += 1
        name = "%010d.M%06dP%d.bench" % (1700000000 + count, count, os.getpid())
        path = (os.path.join(maildir, "cur", name + ":2," + flags) if seen
                else os.path.join(maildir, "new", name))
        with open(path, "wb") as out:
            out.write(data)
        total += len(data)

    lines, previous_empty = None, True
    with open(mbox, "rb") as f:
        for line in f:
            if previous_empty and line.startswith(b"From "):
                if lines is not None:
                    store(lines)
                lines = []
            elif lines is not None:
                lines.append(line)
            previous_empty = line in (b"\n", b"\r\n")
    if lines is not None:
        store(lines)
    print(json.dumps({"messages": count, "bytes": total}))


if __name__ == "__main__":
    main()
