#!/usr/bin/env python3
"""Receives syslog datagrams on a Unix socket and appends them to a file.

A test server that logs only through syslog(3) gets this socket as its
/dev/log (see with-private-devlog.sh), so its log lands next to the rest of
the instance instead of in the machine's syslog, if there is one at all.

usage: syslog-to-file.py SOCKET LOGFILE READY_FILE
READY_FILE gets this process's id once SOCKET accepts messages.
"""
import os
import re
import signal
import socket
import sys

PRIORITY = re.compile(rb"^<\d+>")


def main():
    path, log_path, ready_path = sys.argv[1:4]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    # The servers write as their own unprivileged user.
    os.chmod(path, 0o666)
    with open(log_path, "ab", buffering=0) as log:
        with open(ready_path + ".tmp", "w") as ready:
            ready.write(f"{os.getpid()}\n")
        os.rename(ready_path + ".tmp", ready_path)
        while True:
            data = sock.recv(65536)
            # "<pri>" goes; syslog(3) already put the time and program first.
            log.write(PRIORITY.sub(b"", data).rstrip(b"\0\n") + b"\n")


if __name__ == "__main__":
    main()
