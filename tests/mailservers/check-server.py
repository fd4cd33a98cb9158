#!/usr/bin/env python3
"""Checks a running test mail server with Python's own IMAP and POP3 clients.

Reads DIR/env (written by start-cyrus.sh, start-courier.sh or
start-dovecot.sh) and, as USER, with the instance's password:
  IMAP with STARTTLS and IMAPS: LOGIN (the password as a quoted string),
  CAPABILITY, NAMESPACE, LIST (Sent, Drafts and Trash must be there under the
  personal prefix, with their SPECIAL-USE attributes when the server has the
  extension), CREATE of a folder, APPEND to it, LIST again;
  POP3 with STLS and POP3S: USER/PASS (PASS takes the rest of the line), STAT;
  and that IMAP LOGIN with the password's last character changed is refused
  (the whole password is checked, not a prefix).
Every certificate is checked against the instance's CA for 127.0.0.1.
Prints what it saw and exits non-zero at the first thing that fails.

usage: check-server.py DIR USER
"""
import imaplib
import poplib
import ssl
import sys


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value
    return env


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_imap(imap, user, password, folder):
    # imaplib's login() sends the password as a quoted string, with its
    # backslash and double quote escaped.
    typ, data = imap.login(user, password)
    assert typ == "OK", data
    typ, data = imap.capability()
    print("  CAPABILITY", data[0].decode())
    typ, data = imap.namespace()
    print("  NAMESPACE", data[0].decode())
    personal = data[0].decode()
    prefix = personal.split('"')[1] if personal.startswith('(("') else ""
    typ, data = imap.list('""', "*")
    folders = {}
    for line in data:
        print("  LIST", line.decode())
        attrs, _, rest = line.decode().partition(") ")
        folders[rest.split(" ", 1)[1].strip('"')] = attrs.lstrip("(").lower().split()
    separator = data[0].split(b'"')[1].decode()
    special_use = "SPECIAL-USE" in imap.capabilities
    for role in ("Sent", "Drafts", "Trash"):
        attrs = folders.get(prefix + role)
        assert attrs is not None, f"no {prefix + role} in LIST"
        # Flags are case-insensitive; Cyrus sends \sent, Dovecot \Sent.
        assert not special_use or "\\" + role.lower() in attrs, (role, attrs)
    name = prefix + folder
    typ, data = imap.create(quoted(name))
    assert typ == "OK", data
    message = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: check\r\n"
        b"Message-ID: <check-" + folder.encode() + b"@example.com>\r\n\r\nhello\r\n"
    )
    typ, data = imap.append(quoted(name), r"(\Seen)", '"01-Feb-2020 10:00:00 +0000"', message)
    assert typ == "OK", data
    print("  APPEND", data[0].decode())
    typ, data = imap.list('""', quoted(name))
    assert typ == "OK" and data[0] is not None, data
    print("  LIST", data[0].decode(), "(separator", repr(separator) + ")")
    typ, data = imap.select(quoted(name), readonly=True)
    assert typ == "OK" and data[0] == b"1", data
    imap.logout()


def check_pop3(pop, user, password):
    print("  CAPA", pop.capa())
    pop.user(user)
    print("  PASS", pop.pass_(password).decode())
    count, size = pop.stat()
    print("  STAT", count, size)
    pop.quit()


def main():
    directory, user = sys.argv[1:3]
    env = read_env(directory + "/env")
    with open(env["PASSWORD_FILE"]) as f:
        password = f.readline().rstrip("\r\n")
    if "SERVER_KIND" in env:
        # The Cyrus and Courier instances' password must need quoting; the
        # test Dovecot's is plain hex.
        assert " " in password and '"' in password and "\\" in password, "password needs no quoting"
    context = ssl.create_default_context(cafile=env["CA_FILE"])
    host = "127.0.0.1"
    print("server:", env.get("SERVER_KIND", "dovecot"))

    print("IMAP + STARTTLS on", env["IMAP_PORT"])
    imap = imaplib.IMAP4(host, int(env["IMAP_PORT"]))
    print("  greeting", imap.welcome.decode())
    imap.starttls(context)
    check_imap(imap, user, password, "checked-starttls")

    print("IMAPS on", env["IMAPS_PORT"])
    check_imap(imaplib.IMAP4_SSL(host, int(env["IMAPS_PORT"]), ssl_context=context),
               user, password, "checked-imaps")

    print("IMAPS with a wrong password")
    imap = imaplib.IMAP4_SSL(host, int(env["IMAPS_PORT"]), ssl_context=context)
    wrong = password[:-1] + ("0" if password[-1] != "0" else "1")
    try:
        imap.login(user, wrong)
        raise SystemExit("a wrong password was accepted")
    except imaplib.IMAP4.error as e:
        print("  refused:", e)
    imap.logout()

    print("POP3 + STLS on", env["POP3_PORT"])
    pop = poplib.POP3(host, int(env["POP3_PORT"]))
    print("  greeting", pop.getwelcome().decode())
    pop.stls(context)
    check_pop3(pop, user, password)

    print("POP3S on", env["POP3S_PORT"])
    check_pop3(poplib.POP3_SSL(host, int(env["POP3S_PORT"]), context=context), user, password)
    print("all checks passed")


if __name__ == "__main__":
    main()
