#!/usr/bin/env bash
# Stops a Cyrus started by start-cyrus.sh DIR. Never hangs: the master gets
# SIGTERM, then it and every process under it or in its private mount
# namespace get SIGKILL after at most half a second; the syslog reader goes
# too. Leaves DIR in place (the caller
# removes it). Exits 0 when nothing of the instance runs any more.
#
# Usage: stop-cyrus.sh DIR
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../mailservers/common.sh
. "$here/../mailservers/common.sh"

pid=$(cat "$dir/run/server.pid" 2>/dev/null || true)
# Only signal the process if it is this instance's master (or the wrapper
# that becomes it).
if [[ $pid =~ ^[0-9]+$ ]] && grep -qa -- "$dir/cyrus.conf" "/proc/$pid/cmdline" 2>/dev/null; then
  children=$(descendants_of "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 10); do
    process_alive "$pid" || break
    sleep 0.05
  done
  # The services the master started; they may outlive it for a moment.
  # shellcheck disable=SC2086,SC2046 # lists of process ids
  kill -KILL "$pid" $children $(descendants_of "$pid") 2>/dev/null || true
fi
# Whatever is left in the master's private namespace (a service whose master
# was killed).
# shellcheck disable=SC2046 # a list of process ids
kill -KILL $(processes_in_namespace "$(cat "$dir/run/mount-namespace" 2>/dev/null)") 2>/dev/null || true

reader=$(cat "$dir/run/syslog.pid" 2>/dev/null || true)
if [[ $reader =~ ^[0-9]+$ ]] &&
  grep -qa -- "syslog-to-file.py" "/proc/$reader/cmdline" 2>/dev/null &&
  grep -qa -- "$dir/" "/proc/$reader/cmdline" 2>/dev/null; then
  kill -KILL "$reader" 2>/dev/null || true
fi

# A socket directory that start-cyrus.sh had to put under /tmp.
if [[ -L $dir/run/syslog ]]; then
  target=$(readlink "$dir/run/syslog")
  case $target in
    /tmp/mailferry-cyrus-log.*) rm -rf -- "$target" ;;
  esac
fi
exit 0
