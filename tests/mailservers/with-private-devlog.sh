#!/usr/bin/env bash
# Runs COMMAND with /dev/log connected to SOCKET, for a server that logs only
# through syslog(3). Must already run in a private mount namespace
# (unshare -m), so that nothing here is seen outside it: /dev becomes a fresh
# tmpfs holding the usual device nodes (bound from the real /dev) and, as
# /dev/log, SOCKET (a datagram socket that syslog-to-file.py reads).
#
# Usage: unshare -m --propagation private with-private-devlog.sh SOCKET COMMAND...
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 SOCKET COMMAND..." >&2; exit 2; }
socket=$1
shift

# The real /dev stays reachable under a temporary name (next to SOCKET, in
# the instance's directory) while the nodes are bound from it; it is
# unmounted and removed again before COMMAND starts.
old=$(mktemp -d "$(dirname "$socket")/olddev.XXXXXX")
mount --rbind /dev "$old"
mount -t tmpfs -o mode=755,nosuid tmpfs /dev
for node in null zero full random urandom tty; do
  if [[ -e $old/$node ]]; then
    touch "/dev/$node"
    mount --bind "$old/$node" "/dev/$node"
  fi
done
mkdir /dev/shm /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
touch /dev/log
mount --bind "$socket" /dev/log
umount -l "$old"
rmdir "$old"
exec "$@"
