#!/usr/bin/env bash
# Runs one Courier-IMAP instance (authdaemond, IMAP, IMAPS, POP3, POP3S) for
# start-courier.sh; not meant to be called by hand. Must run as root in a
# private mount namespace (unshare -m): Courier's programs have their paths
# compiled in (/etc/courier, /usr/lib/courier, /usr/lib/courier-authlib,
# /run/courier/authdaemon), so this namespace shows them there:
#   /usr and /etc: read-only overlays of the unpacked packages (PKG) over the
#     real directories, so the unpacked files appear at their compiled-in
#     paths and everything else is the system's; /etc also gets DIR/etc-overlay
#     (passwd and group with the user "courier") when start-courier.sh made it;
#   /etc/courier: DIR/etc-courier, the instance's configuration and userdb;
#   /run: DIR/run, where authdaemond puts its socket.
# None of it is seen outside the namespace. The daemons log to DIR/courier.log.
# This process stays as their parent until it is killed (stop-courier.sh).
#
# Usage: courier-namespace.sh DIR PKG IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT
set -euo pipefail

[[ $# -eq 6 ]] || { echo "usage: $0 DIR PKG IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT" >&2; exit 2; }
dir=$1 pkg=$2 imap_port=$3 imaps_port=$4 pop3_port=$5 pop3s_port=$6
# stop-courier.sh ends every process of this namespace, even one whose
# parent died.
readlink /proc/self/ns/mnt >"$dir/mount-namespace"

mount -t overlay overlay -o "lowerdir=$pkg/usr:/usr" /usr
etc_layers=$pkg/etc:/etc
[[ -d $dir/etc-overlay ]] && etc_layers=$dir/etc-overlay:$etc_layers
mount -t overlay overlay -o "lowerdir=$etc_layers" /etc
mount --bind "$dir/etc-courier" /etc/courier
mount --bind "$dir/run" /run
mkdir -p /run/courier/authdaemon
chmod 750 /run/courier/authdaemon

log=$dir/courier.log
cd /
# Users added before the start are compiled into userdb.dat here.
/usr/sbin/makeuserdb

# As the init scripts of courier-authdaemon, courier-imap and courier-pop do,
# minus courierlogger (the log goes to a file) and the access file.
env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin \
  /usr/lib/courier/courier-authlib/authdaemond </dev/null >>"$log" 2>&1 &

# Serves one port: PORT, "tls" for implicit TLS or "plain" (STARTTLS/STLS
# offered), "imap" or "pop3", then the login program and the server with its
# arguments. The protocol's configuration files are sourced as Courier's own
# start scripts do.
serve() {
  local port=$1 mode=$2 kind=$3
  shift 3
  local wrap=()
  if [[ $mode == tls ]]; then
    # couriertls ends the TLS and runs the login program behind it.
    wrap=(/usr/bin/couriertls -server -tcpd)
  fi
  # shellcheck disable=SC2016 # expanded by that shell, after sourcing
  env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin /bin/sh -c '
    set -a
    if [ "$2" = imap ]; then
      . /etc/courier/imapd
      . /etc/courier/imapd-ssl
      IMAP_STARTTLS=$IMAPDSTARTTLS
    else
      . /etc/courier/pop3d
      . /etc/courier/pop3d-ssl
    fi
    if [ "$1" = tls ]; then
      IMAP_TLS=1 POP3_TLS=1 IMAP_STARTTLS=NO POP3_STARTTLS=NO
    fi
    port=$3
    shift 3
    exec /usr/sbin/couriertcpd -address=127.0.0.1 -maxprocs=$MAXDAEMONS \
      -maxperip=$MAXPERIP $TCPDOPTS "$port" "$@"' \
    sh "$mode" "$kind" "$port" "${wrap[@]}" "$@" </dev/null >>"$log" 2>&1 &
}
imap=(/usr/lib/courier/courier/imaplogin /usr/bin/imapd Maildir)
pop3=(/usr/lib/courier/courier/courierpop3login /usr/lib/courier/courier/courierpop3d Maildir)
serve "$imap_port" plain imap "${imap[@]}"
serve "$imaps_port" tls imap "${imap[@]}"
serve "$pop3_port" plain pop3 "${pop3[@]}"
serve "$pop3s_port" tls pop3 "${pop3[@]}"
wait
