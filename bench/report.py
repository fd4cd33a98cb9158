#!/usr/bin/env python3
"""Prints bench/run.sh's results as Markdown tables (one per section).

  report.py HEADER.txt RESULTS.tsv

Each RESULTS line: section, server, case, tool, messages, bytes, wall seconds,
peak RSS in kB, status. "x doveadm" is the row's wall time over the mean time of
the doveadm rows of the same section and server (the server's own import of
the same messages, measured in the same run).
"""
import sys
from collections import OrderedDict

SERVER = {"durable": "fsync on", "fast": "fsync off", "latency": "fsync off"}


def main():
    header, results = sys.argv[1], sys.argv[2]
    print(open(header).read().rstrip().replace("# ", "", 1))
    print()
    groups = OrderedDict()
    for line in open(results):
        f = line.rstrip("\n").split("\t")
        if len(f) != 9:
            continue
        section, server, case, tool, messages, size, wall, rss, status = f
        row = dict(case=case, tool=tool, messages=int(messages), bytes=int(size),
                   wall=float(wall), rss=int(rss) if rss.isdigit() else 0, status=status)
        groups.setdefault((section, server), []).append(row)
    failures = 0
    for (section, server), rows in groups.items():
        refs = [r["wall"] for r in rows if r["tool"] == "doveadm" and r["status"] == "ok"]
        ref = sum(refs) / len(refs) if refs else None
        print("### %s (Dovecot %s)" % (section, SERVER.get(server, server)))
        print()
        print("| case | messages | MB | wall s | msg/s | MB/s | peak RSS MB | x doveadm | check |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in rows:
            mb = r["bytes"] / 1e6
            rate = r["messages"] / r["wall"] if r["wall"] > 0 else 0
            mbs = "%.1f" % (mb / r["wall"]) if r["bytes"] and r["wall"] > 0 else "-"
            ratio = "%.2f" % (r["wall"] / ref) if ref and r["tool"] != "doveadm" else "-"
            failures += r["status"] != "ok"
            print("| %s | %d | %s | %.3f | %.0f | %s | %.1f | %s | %s |" % (
                r["case"], r["messages"], "%.1f" % mb if r["bytes"] else "-", r["wall"], rate,
                mbs, r["rss"] / 1024, ratio, r["status"]))
        by_case = {r["case"]: r for r in rows}
        base, piped = by_case.get("one command at a time"), by_case.get("pipelined (default)")
        if base and piped and piped["wall"] > 0:
            print()
            print("One command at a time takes %.1fx as long as the pipelined engine." %
                  (base["wall"] / piped["wall"]))
        print()
    if failures:
        print("%d case(s) FAILED their check (see the check column)." % failures)
        sys.exit(1)


if __name__ == "__main__":
    main()
