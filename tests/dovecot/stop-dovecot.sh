#!/usr/bin/env bash
# Stops a Dovecot started by start-dovecot.sh DIR at once: the master is
# frozen (SIGSTOP, so it starts no new process), then it and its processes get
# SIGKILL. A throwaway server holds nothing worth a graceful shutdown, and
# Dovecot's own takes about a second, paid by every test that starts one.
# Leaves DIR in place (the caller removes it). Exits 0 when nothing is running there any more.
#
# Usage: stop-dovecot.sh DIR
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
pid_file=$dir/run/master.pid

# Direct children of $1 (Dovecot's processes are all children of the master):
# the kernel's list where it keeps one, else a scan of /proc without a
# subshell per process.
children_of() {
  local list=/proc/$1/task/$1/children p line ppid rest
  if [[ -r $list ]]; then
    read -r line <"$list" 2>/dev/null || true
    echo "${line-}"
    return 0
  fi
  for p in /proc/[0-9]*/stat; do
    { read -r line <"$p"; } 2>/dev/null || continue
    line=${line##*) }  # drop "pid (comm) "; comm may hold spaces
    read -r _ ppid rest <<<"$line"
    if [[ $ppid == "$1" ]]; then
      p=${p#/proc/}
      echo "${p%/stat}"
    fi
  done
  return 0
}

if [[ -r $pid_file ]]; then
  pid=$(cat "$pid_file" 2>/dev/null || true)
  # Only signal the process if it is this instance's master.
  if [[ $pid =~ ^[0-9]+$ ]] && grep -qa -- "$dir/dovecot.conf" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -STOP "$pid" 2>/dev/null || true
    children=$(children_of "$pid")
    # shellcheck disable=SC2086  # one word per process id
    kill -KILL "$pid" $children 2>/dev/null || true
  fi
fi

# The POP3 relay of --pop3-no-pipelining, if this instance has one.
filter_pid=$(cat "$dir/run/pop3-filter.pid" 2>/dev/null || true)
if [[ $filter_pid =~ ^[0-9]+$ ]] &&
  grep -qa -- "pop3-capa-filter.py" "/proc/$filter_pid/cmdline" 2>/dev/null &&
  grep -qa -- "$dir/" "/proc/$filter_pid/cmdline" 2>/dev/null; then
  kill -KILL "$filter_pid" 2>/dev/null || true
fi

# A socket directory that start-dovecot.sh had to put under /tmp.
if [[ -L $dir/run ]]; then
  target=$(readlink "$dir/run")
  case $target in
    /tmp/mailferry-dovecot-run.*) rm -rf -- "$target" ;;
  esac
fi
exit 0
