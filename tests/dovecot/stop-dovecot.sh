#!/usr/bin/env bash
# Stops a Dovecot started by start-dovecot.sh DIR. Never hangs: the master gets
# SIGTERM, then SIGKILL after a few seconds. Leaves DIR in place (the caller
# removes it). Exits 0 when nothing is running there any more.
#
# Usage: stop-dovecot.sh DIR
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
pid_file=$dir/run/master.pid

if [[ -r $pid_file ]]; then
  pid=$(cat "$pid_file" 2>/dev/null || true)
  # Only signal the process if it is this instance's master.
  if [[ $pid =~ ^[0-9]+$ ]] && grep -qa -- "$dir/dovecot.conf" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
fi

# A socket directory that start-dovecot.sh had to put under /tmp.
if [[ -L $dir/run ]]; then
  target=$(readlink "$dir/run")
  case $target in
    /tmp/mailferry-dovecot-run.*) rm -rf -- "$target" ;;
  esac
fi
exit 0
