#!/usr/bin/env python3
"""Prints bench/run.sh's results as Markdown tables (one per section).

  report.py HEADER.txt RESULTS.tsv

Each RESULTS line: section, server, case, tool, messages, bytes, wall seconds,
peak RSS in kB, CPU seconds (user + system of the measured process), status. A case measured in several rounds (run.sh --repeat)
becomes one row: the median wall time, the range in the "range s" column, the
highest peak RSS, and "ok" only if every round passed its check. "x doveadm" is
the row's wall time over the median time of all the doveadm rows of the same
section and server (the server's own import of the same messages, measured in
the same run). An IMAP -> IMAP section ends with mailferry's speed and peak
RSS against each peer's: the peer's wall time over mailferry's, mailferry's
peak RSS over the peer's.
"""
import statistics
import sys
from collections import OrderedDict

SERVER = {"durable": "fsync on", "fast": "fsync off", "latency": "fsync off"}


def merge(runs):
    """One row for the rounds of a case: median wall, highest RSS, all checks."""
    row = dict(runs[0])
    walls = [r["wall"] for r in runs]
    row.update(wall=statistics.median(walls), low=min(walls), high=max(walls), runs=len(runs),
               rss=max(r["rss"] for r in runs), cpu=statistics.median(r["cpu"] for r in runs))
    failed = [r["status"] for r in runs if r["status"] != "ok"]
    if failed:
        row["status"] = "; ".join(failed) + (" (%d of %d rounds)" % (len(failed), len(runs)))
    elif len(runs) > 1:
        row["status"] = "ok (%d rounds)" % len(runs)
    return row


def main():
    header, results = sys.argv[1], sys.argv[2]
    # The header's "# " lines as a title and a list (Markdown).
    lines = [l[2:] if l.startswith("# ") else l for l in open(header).read().splitlines()]
    print("## " + lines[0])
    print()
    for line in lines[1:]:
        print("- " + line)
    print()
    groups = OrderedDict()
    for line in open(results):
        f = line.rstrip("\n").split("\t")
        if len(f) != 10:
            continue
        section, server, case, tool, messages, size, wall, rss, cpu, status = f
        row = dict(case=case, tool=tool, messages=int(messages), bytes=int(size), wall=float(wall),
                   rss=int(rss) if rss.isdigit() else 0, cpu=float(cpu or 0), status=status)
        groups.setdefault((section, server), OrderedDict()).setdefault(case, []).append(row)
    failures = 0
    for (section, server), cases in groups.items():
        refs = [r["wall"] for runs in cases.values() for r in runs
                if r["tool"] == "doveadm" and r["status"] == "ok"]
        ref = statistics.median(refs) if refs else None
        rows = [merge(runs) for runs in cases.values()]
        print("### %s (Dovecot %s)" % (section, SERVER.get(server, server)))
        print()
        print("| case | messages | MB | wall s | range s | msg/s | MB/s | CPU s | peak RSS MB | x doveadm | check |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in rows:
            mb = r["bytes"] / 1e6
            rate = r["messages"] / r["wall"] if r["wall"] > 0 else 0
            mbs = "%.1f" % (mb / r["wall"]) if r["bytes"] and r["wall"] > 0 else "-"
            ratio = "%.2f" % (r["wall"] / ref) if ref and r["tool"] != "doveadm" else "-"
            failures += not r["status"].startswith("ok")
            spread = "%.2f-%.2f" % (r["low"], r["high"]) if r["runs"] > 1 else "-"
            print("| %s | %d | %s | %.3f | %s | %.0f | %s | %.2f | %.1f | %s | %s |" % (
                r["case"], r["messages"], "%.1f" % mb if r["bytes"] else "-", r["wall"], spread,
                rate, mbs, r["cpu"], r["rss"] / 1024, ratio, r["status"]))
        by_case = {r["case"]: r for r in rows}
        base, piped = by_case.get("one command at a time"), by_case.get("pipelined (default)")
        if base and piped and piped["wall"] > 0:
            print()
            print("One command at a time takes %.1fx as long as the pipelined engine." %
                  (base["wall"] / piped["wall"]))
        ours = by_case.get("IMAP -> IMAP")
        if ours and ours["wall"] > 0:
            against = []
            for case, name in (("imapsync IMAP -> IMAP", "imapsync"), ("mbsync IMAP -> IMAP", "mbsync"),
                               ("doveadm backup from imapc", "doveadm backup")):
                peer = by_case.get(case)
                if peer and peer["rss"] > 0:
                    against.append("%.2fx %s's speed at %.2f of its peak RSS" %
                                   (peer["wall"] / ours["wall"], name, ours["rss"] / peer["rss"]))
            if against:
                print()
                print("mailferry IMAP -> IMAP: " + "; ".join(against) + ".")
        print()
    if failures:
        print("%d case(s) FAILED their check (see the check column)." % failures)
        sys.exit(1)


if __name__ == "__main__":
    main()
