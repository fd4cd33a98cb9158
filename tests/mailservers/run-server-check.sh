#!/usr/bin/env bash
# The test suite's check of a test mail server's scripts: starts a Cyrus or
# Courier instance in a new directory with one user, adds a second user while
# it runs, checks both with Python's own clients (check-server.py: logins with
# the quoted password over IMAP, IMAPS, POP3 and POP3S, CREATE, APPEND, a
# wrong password refused), stops it and checks that none of its processes is
# left. Exits 77 (skipped) for Courier when not run as root.
#
# Usage: run-server-check.sh cyrus|courier
set -euo pipefail

kind=${1-}
case $kind in
  cyrus | courier) ;;
  *) echo "usage: $0 cyrus|courier" >&2; exit 2 ;;
esac
# Courier runs in a private mount namespace, which needs root; ctest counts
# exit status 77 as skipped.
if [[ $kind == courier && $(id -u) -ne 0 ]]; then
  echo "run-server-check: Courier's test server needs root; skipped"
  exit 77
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scripts=$here/../$kind
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"
python=$(python3_path)

dir=$(mktemp -d "/tmp/mailferry-check-$kind.XXXXXX")
chmod 755 "$dir"
cleanup() {
  "$scripts/stop-$kind.sh" "$dir/server" >/dev/null 2>&1 || true
  rm -rf -- "$dir"
}
trap cleanup EXIT

started=$EPOCHREALTIME
"$scripts/start-$kind.sh" "$dir/server" --users first
echo "start: $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f s", b - a }')"
"$python" "$here/check-server.py" "$dir/server" first

added=$EPOCHREALTIME
"$scripts/add-users.sh" "$dir/server" second
echo "add-users: $(awk -v a="$added" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f s", b - a }')"
"$python" "$here/check-server.py" "$dir/server" second

"$scripts/stop-$kind.sh" "$dir/server"
left=$(grep -las -- "$dir/server" /proc/[0-9]*/cmdline || true)
for f in $left; do
  pid=${f#/proc/}
  pid=${pid%/cmdline}
  if process_alive "$pid"; then
    echo "run-server-check: process $pid of the instance is still running:" \
      "$(tr '\0' ' ' <"$f")" >&2
    exit 1
  fi
done
echo "$kind: all checks passed"
