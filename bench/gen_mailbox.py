#!/usr/bin/env python3
"""Writes the benchmark's mbox files, deterministically (same seed, same bytes).

  gen_mailbox.py realistic OUT [--messages 5000] [--seed 7]
      A mailbox like the ones users migrate: mostly text mail of 1-10 kB, one
      message in ten with a base64 attachment of 0.1-2 MB (log-uniform, so
      small ones are more common), 2% without Message-ID, 1% exact duplicates
      of an earlier message, Status/X-Status flags as mail clients write them.
      5,000 messages come to about 335 MB.
  gen_mailbox.py small OUT --messages N [--seed 7]
      N text messages of 1.5-4 kB (for the 5k/50k/100k scaling runs).
  gen_mailbox.py big OUT [--size-mb 500]
      One message of about that many MB (10^6 bytes), mostly one attachment.

Prints one line of JSON: {"messages": entries, "distinct": messages without the
duplicates, "bytes": file size}.
"""
import argparse
import base64
import json
import math
import random
import sys

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if "
    "so no will what can out more about up other into could time only new some these two may "
    "first then do any like my now over such our man me even most made after also did many "
    "before must through back years where much your way well down should because each just "
    "those people how too little state good very make world still own see men work long get "
    "here between both life being under never day same another know while last might us great "
    "old year off come since against go came right used take three invoice meeting report "
    "budget quarter deadline project release server backup schedule review draft contract "
    "shipment order customer account password reset attached please thanks regards"
).split()
NAMES = (
    "alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert "
    "sybil trent victor walter yvonne zoe"
).split()
DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example", "lists.example.org"]
MAILERS = ["Mozilla Thunderbird 102.3", "Microsoft Outlook 16.0", "Apple Mail (2.3654)", "mutt/2.2.9"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ATTACHMENTS = [("application/pdf", "pdf"), ("image/jpeg", "jpg"), ("application/zip", "zip"),
               ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")]


def address(rng):
    name = rng.choice(NAMES)
    return name.capitalize() + " Example", name + "@" + rng.choice(DOMAINS)


def when(rng):
    # 2015-01-01 .. 2024-12-31, as struct parts (no time zone database needed).
    t = 1420070400 + rng.randrange(10 * 365 * 86400)
    days, rem = divmod(t, 86400)
    # civil-from-days (Howard Hinnant), so the weekday and date are exact
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += m <= 2
    weekday = DAYS[(days + 3) % 7]  # 1970-01-01 was a Thursday
    hh, mm, ss = rem // 3600, rem // 60 % 60, rem % 60
    zone = rng.choice(["+0000", "+0100", "+0200", "-0500", "-0800", "+0900"])
    rfc5322 = "%s, %d %s %d %02d:%02d:%02d %s" % (weekday, d, MONTHS[m - 1], y, hh, mm, ss, zone)
    from_line = "%s %s %2d %02d:%02d:%02d %d" % (weekday, MONTHS[m - 1], d, hh, mm, ss, y)
    return rfc5322, from_line


def paragraph(rng, size):
    out, line = [], []
    length = width = 0
    while length < size:
        word = rng.choice(WORDS)
        if width + len(word) + 1 > 72:
            out.append(" ".join(line))
            length += width + 1
            line, width = [], 0
        line.append(word)
        width += len(word) + 1
    if line:
        out.append(" ".join(line))
    if rng.random() < 0.3:  # a quoted reply
        out.append("")
        out.append("On an earlier day, someone wrote:")
        out.extend("> " + l for l in out[: min(len(out) - 2, 6)])
    return "\n".join(out) + "\n"


def attachment_bytes(rng, encoded_size):
    raw = max(57, encoded_size * 57 // 77)  # base64: 76 characters + LF per 57 bytes
    return base64.encodebytes(rng.randbytes(raw)).decode("ascii")


def message(rng, serial, with_id, attachment_size, text_size):
    name_from, from_addr = address(rng)
    name_to, to_addr = address(rng)
    date, from_line = when(rng)
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize()
    h = []
    h.append("Return-Path: <%s>" % from_addr)
    for hop in range(rng.randint(1, 3)):
        h.append("Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\n\tby mail.example.com with ESMTPS "
                 "id %08x; %s" % (hop, rng.choice(DOMAINS), hop, rng.choice(DOMAINS),
                                  rng.randrange(1, 255), rng.getrandbits(32), date))
    h.append("Date: " + date)
    h.append('From: "%s" <%s>' % (name_from, from_addr))
    h.append('To: "%s" <%s>' % (name_to, to_addr))
    if rng.random() < 0.3:
        h.append("Cc: %s" % address(rng)[1])
    h.append("Subject: " + subject)
    if with_id:
        h.append("Message-ID: <%d.%08x@%s>" % (serial, rng.getrandbits(32), rng.choice(DOMAINS)))
    h.append("MIME-Version: 1.0")
    h.append("X-Mailer: " + rng.choice(MAILERS))
    r = rng.random()
    if r < 0.9:  # read, or seen as new; the rest never reached a client
        h.append("Status: " + ("RO" if r < 0.7 else "O"))
    r = rng.random()
    if r < 0.1:
        h.append("X-Status: A")
    elif r < 0.15:
        h.append("X-Status: F")
    text = paragraph(rng, text_size)
    if attachment_size == 0:
        h.append("Content-Type: text/plain; charset=utf-8")
        h.append("Content-Transfer-Encoding: 8bit")
        body = text
    else:
        boundary = "----=_Part_%d_%08x" % (serial, rng.getrandbits(32))
        mime, ext = rng.choice(ATTACHMENTS)
        h.append('Content-Type: multipart/mixed; boundary="%s"' % boundary)
        body = ("This is a multi-part message in MIME format.\n\n--%s\n"
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n"
                "--%s\nContent-Type: %s; name=\"file%d.%s\"\nContent-Transfer-Encoding: base64\n"
                "Content-Disposition: attachment; filename=\"file%d.%s\"\n\n%s\n--%s--\n"
                % (boundary, text, boundary, mime, serial, ext, serial, ext,
                   attachment_bytes(rng, attachment_size), boundary))
    entry = "From %s %s\n%s\n\n%s" % (from_addr, from_line, "\n".join(h), body)
    return entry.encode("utf-8")


def write_mailbox(out, rng, count, attachment_share, duplicate_share, no_id_share, text_range):
    """Entries in file order; duplicates repeat an earlier entry verbatim."""
    written, distinct = 0, 0
    recent = []  # a window of earlier entries that duplicates are taken from
    for i in range(count):
        if recent and rng.random() < duplicate_share:
            data = rng.choice(recent)
        else:
            attachment = 0
            if rng.random() < attachment_share:
                # log-uniform 0.1 .. 2 MB: mean about 0.63 MB
                attachment = int(math.exp(rng.uniform(math.log(100_000), math.log(2_000_000))))
            text_size = int(math.exp(rng.uniform(math.log(text_range[0]), math.log(text_range[1]))))
            data = message(rng, i + 1, rng.random() >= no_id_share, attachment, text_size)
            distinct += 1
            if len(data) < 64_000:
                recent.append(data)
                if len(recent) > 200:
                    recent.pop(0)
        out.write(data)
        out.write(b"\n")  # the separator's empty line
        written += 1
    return written, distinct


def write_big(out, rng, size_mb):
    target = size_mb * 1_000_000
    date, from_line = when(rng)
    boundary = "----=_Part_big"
    head = ("From big@example.com %s\nDate: %s\nFrom: Big Sender <big@example.com>\n"
            "To: someone@example.org\nSubject: one very large message\n"
            "Message-ID: <big.1@example.com>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="%s"\n\n--%s\n'
            "Content-Type: text/plain\n\nThe attachment is large.\n\n--%s\n"
            "Content-Type: application/octet-stream; name=\"disk.img\"\n"
            "Content-Transfer-Encoding: base64\n\n" % (from_line, date, boundary, boundary, boundary))
    tail = "\n--%s--\n\n" % boundary
    out.write(head.encode())
    block = base64.encodebytes(rng.randbytes(57 * 1024))  # 1024 lines of 77 bytes
    left = target - len(head) - len(tail)
    while left > 0:
        piece = block if left >= len(block) else block[: left - left % 77]
        if not piece:
            break
        out.write(piece)
        left -= len(piece)
    out.write(tail.encode())
    return 1, 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["realistic", "small", "big"])
    p.add_argument("out")
    p.add_argument("--messages", type=int, default=5000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--size-mb", type=int, default=500)
    a = p.parse_args()
    rng = random.Random("%s-%d" % (a.kind, a.seed))
    with open(a.out, "wb", buffering=1 << 20) as out:
        if a.kind == "realistic":
            n, distinct = write_mailbox(out, rng, a.messages, 0.10, 0.01, 0.02, (1000, 10000))
        elif a.kind == "small":
            n, distinct = write_mailbox(out, rng, a.messages, 0.0, 0.0, 0.02, (1000, 3000))
        else:
            n, distinct = write_big(out, rng, a.size_mb)
        size = out.tell()
    json.dump({"messages": n, "distinct": distinct, "bytes": size}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
