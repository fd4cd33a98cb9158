#!/usr/bin/env bash
# Stops a Dovecot started by start-dovecot.sh DIR. Never hangs: the master gets
# SIGTERM, then it and its processes get SIGKILL after at most half a second.
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

# Prints "STATE PPID" of a process, nothing when it is gone.
state_and_parent() {
  local line state ppid rest
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
  line=${line##*) }  # drop "pid (comm) "; comm may hold spaces
  read -r state ppid rest <<<"$line"
  echo "$state $ppid"
}

# Direct children of $1 (Dovecot's processes are all children of the master).
children_of() {
  local p fields
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    fields=$(state_and_parent "$p")
    [[ ${fields#* } == "$1" ]] && echo "$p"
  done
  return 0
}

if [[ -r $pid_file ]]; then
  pid=$(cat "$pid_file" 2>/dev/null || true)
  # Only signal the process if it is this instance's master.
  if [[ $pid =~ ^[0-9]+$ ]] && grep -qa -- "$dir/dovecot.conf" "/proc/$pid/cmdline" 2>/dev/null; then
    children=$(children_of "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    # The master normally exits at once; a login process stuck in a handshake
    # with an already stopped stats process can hold it for seconds, and
    # nothing here is worth waiting for.
    for _ in $(seq 1 10); do
      [[ -d /proc/$pid ]] || break
      [[ $(state_and_parent "$pid") == Z* ]] && break
      sleep 0.05
    done
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
