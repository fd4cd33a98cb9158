#!/usr/bin/env python3
"""The 1,000-mailbox batch: time and peak memory per process.

Starts a private Dovecot (tests/dovecot/start-dovecot.sh, fsync off), writes
N small mbox sources (1 to 4 messages each, as the integration test does) and
an account list, runs SHARDS shards of `mailferry sync --accounts ... --shard
K/SHARDS --parallel P` at once, as SHARDS machines would, and then `mailferry
status`. While they run, every mailferry process (the shards and their worker
processes) is sampled every 20 ms for its peak resident set size (VmHWM in
/proc/PID/status, which only grows, so the last sample is the peak up to that
moment; a worker's last 20 ms can be missed). Prints one line of figures.

Usage: bench/batch.py --binary build-bench/mailferry [--mailboxes 1000]
                      [--shards 10] [--parallel 4] [--work /tmp]
Needs: dovecot-imapd, dovecot-pop3d, openssl (the test server's script).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            env[key] = value.strip("'\"")
    return env


def mbox(user, count):
    out = []
    for k in range(1, count + 1):
        out.append(
            "From sender@example.org Mon Mar  4 10:00:00 2019\n"
            f"From: sender@example.org\nTo: {user}@example.com\n"
            f"Subject: message {k} of {user}\nDate: Mon, 4 Mar 2019 10:00:00 +0000\n"
            f"Message-ID: <{user}.{k}@batch.test>\n\nBody {k}.\n\n")
    return "".join(out)


def children_of(pids):
    """Every process below one of pids (from /proc's parent links)."""
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    parent[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), set(pids)
    while frontier:
        found |= frontier
        frontier = {p for p, pp in parent.items() if pp in frontier and p not in found}
    return found


def hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--mailboxes", type=int, default=1000)
    ap.add_argument("--shards", type=int, default=10)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--work", default="/tmp")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)

    work = tempfile.mkdtemp(prefix="mailferry-batch-bench.", dir=args.work)
    os.chmod(work, 0o755)
    server = os.path.join(work, "server")
    subprocess.run([os.path.join(REPO, "tests/dovecot/start-dovecot.sh"), server],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        env = read_env(os.path.join(server, "env"))
        port = env["IMAPS_PORT"]
        os.makedirs(os.path.join(work, "mail"))
        lines = ["name,from.url,to.url,to.password_file,to.ca_file"]
        messages = 0
        for i in range(args.mailboxes):
            user = f"u{i:04d}"
            count = 1 + i % 4
            messages += count
            path = os.path.join(work, "mail", user + ".mbox")
            with open(path, "w") as f:
                f.write(mbox(user, count))
            lines.append(f"{user},mbox:{path},imaps://{user}@127.0.0.1:{port},"
                         f"{env['PASSWORD_FILE']},{env['CA_FILE']}")
        accounts = os.path.join(work, "accounts.csv")
        with open(accounts, "w") as f:
            f.write("\n".join(lines) + "\n")
        reports = os.path.join(work, "reports")
        os.makedirs(reports)
        run_env = dict(os.environ, XDG_STATE_HOME=os.path.join(work, "state"))

        started = time.monotonic()
        shards = []
        for k in range(args.shards):
            shards.append(subprocess.Popen(
                [binary, "sync", "--quiet", "--accounts", accounts, "--shard",
                 f"{k}/{args.shards}", "--parallel", str(args.parallel), "--report",
                 os.path.join(reports, f"shard-{k}.json")],
                env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        shard_pids = {p.pid for p in shards}
        peak = {}  # pid -> peak KiB
        while any(p.poll() is None for p in shards):
            for pid in children_of(shard_pids):
                kib = hwm_kib(pid)
                if kib is not None:
                    peak[pid] = max(peak.get(pid, 0), kib)
            time.sleep(0.02)
        wall = time.monotonic() - started
        codes = [p.wait() for p in shards]
        status = subprocess.run([binary, "status", "--json", "--accounts", accounts, reports],
                                capture_output=True, text=True)
        view = json.loads(status.stdout)
        parents = [peak[p] / 1024 for p in shard_pids if p in peak]
        workers = [v / 1024 for p, v in peak.items() if p not in shard_pids]
        ok = all(c == 0 for c in codes) and status.returncode == 0 and \
            view["complete"] == args.mailboxes
        print(f"| {args.mailboxes} mailboxes, {messages} messages | {args.shards} shards x "
              f"--parallel {args.parallel} | {wall:.1f} | {args.mailboxes / wall:.1f} | "
              f"{max(parents):.1f} | {statistics.median(workers):.1f} | {max(workers):.1f} | "
              f"{len(workers)} | {'ok' if ok else 'FAILED'} |")
        return 0 if ok else 1
    finally:
        subprocess.run([os.path.join(REPO, "tests/dovecot/stop-dovecot.sh"), server],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
