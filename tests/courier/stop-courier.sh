#!/usr/bin/env bash
# Stops a Courier started by start-courier.sh DIR. Never hangs: every process
# of the instance (the namespace's holder, authdaemond, the couriertcpd
# listeners and the sessions they run: every process under the holder or in
# its mount namespace) gets SIGTERM, then SIGKILL after at most half a
# second. The mount namespace goes with its last process. Leaves
# DIR in place (the caller removes it). Exits 0 when nothing of the instance
# runs any more.
#
# Usage: stop-courier.sh DIR
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../mailservers/common.sh
. "$here/../mailservers/common.sh"

holder=$(cat "$dir/server.pid" 2>/dev/null || true)
processes=
# Only signal the process if it is this instance's holder.
if [[ $holder =~ ^[0-9]+$ ]] && grep -qa -- "courier-namespace.sh" "/proc/$holder/cmdline" 2>/dev/null &&
  grep -qa -- "$dir" "/proc/$holder/cmdline" 2>/dev/null; then
  processes="$holder $(descendants_of "$holder")"
fi
namespace=$(cat "$dir/mount-namespace" 2>/dev/null || true)
processes="$processes $(processes_in_namespace "$namespace")"
if [[ -n ${processes// /} ]]; then
  # shellcheck disable=SC2086 # a list of process ids
  kill -TERM $processes 2>/dev/null || true
  for _ in $(seq 1 10); do
    alive=no
    for p in $processes; do
      process_alive "$p" && { alive=yes; break; }
    done
    [[ $alive == no ]] && break
    sleep 0.05
  done
  # Sessions started meanwhile are in the namespace too.
  # shellcheck disable=SC2086,SC2046 # lists of process ids
  kill -KILL $processes $(processes_in_namespace "$namespace") 2>/dev/null || true
fi
exit 0
