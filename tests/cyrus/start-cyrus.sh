#!/usr/bin/env bash
# Starts a private, throwaway Cyrus IMAP 3.6 (IMAP + POP3) in DIR, for the
# test suite. Nothing outside DIR is touched: its imapd.conf and cyrus.conf
# are written into DIR (the system's /etc is never read), it has its own
# self-signed CA, and it listens on free ports of 127.0.0.1 only.
#
# Usage: start-cyrus.sh DIR [--users "alice bob ..."] [--no-default-folders]
#                          [--altnamespace]
#
# The server is Debian's cyrus-imapd, cyrus-pop3d and cyrus-common, unpacked
# by tests/mailservers/unpack-packages.sh into a private cache and never
# installed: they conflict with the Dovecot the other tests use, and their
# package scripts would add a system user and start a system service.
#
# Shape, as a Debian admin meets it (Debian's /etc/imapd.conf sets these):
#   altnamespace: no, unixhierarchysep: no -> separator ".", personal folders
#   under "INBOX." (INBOX.Sent), NAMESPACE (("INBOX." ".")) (("user." "."))
#   (("" ".")); hashimapspool: true; autocreate_quota: 0, so a user's INBOX
#   is created at the first IMAP or POP3 login.
# At that login Cyrus also creates and subscribes Drafts, Sent and Trash
# (autocreate_inbox_folders) and gives them their SPECIAL-USE annotations
# from the xlist-drafts/xlist-sent/xlist-trash options, the way Cyrus 3 does
# it: LIST shows them as \drafts, \sent and \trash, in lower case, because
# Cyrus spells the flag after the option's name. --no-default-folders leaves
# only INBOX. CREATE-SPECIAL-USE and METADATA are offered too.
# --altnamespace: upstream Cyrus 3's defaults instead (altnamespace: yes,
# unixhierarchysep: yes): separator "/", personal folders beside INBOX
# (Sent), NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/")).
#
# Users: every user in --users, or added later with add-users.sh DIR USER...
# (while the server runs; a few milliseconds each), logs in with the password
# in DIR/password (mode 600; it holds a space, a double quote and a
# backslash, so it must be quoted in IMAP). They live in DIR/sasldb2
# (sasl_pwcheck_method: auxprop with sasldb, mechanisms PLAIN and LOGIN;
# plain LOGIN is allowed without TLS). Mail is under DIR/spool.
#
# On success DIR/env holds shell assignments:
#   IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT CA_FILE PASSWORD_FILE
#   SERVER_KIND=cyrus SERVER_LOG (Cyrus's syslog output) SERVER_CONF
#   (DIR/imapd.conf) ADD_USERS (add-users.sh) IMAP_SEPARATOR (. or /)
#   IMAP_PREFIX (INBOX. or empty)
# Stop it with stop-cyrus.sh DIR.
#
# Cyrus logs only to syslog; its master runs in a private mount namespace
# whose /dev/log is a socket that tests/mailservers/syslog-to-file.py copies
# into SERVER_LOG. Works as root (the processes then run as "nobody", given
# as cyrus_user, since the Debian user "cyrus" comes with the package's
# scripts) and as a normal user (without the log, as unshare needs root).
set -euo pipefail

usage() {
  echo "usage: $0 DIR [--users \"USER...\"] [--no-default-folders] [--altnamespace]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
dir=$1
shift
users=
default_folders=yes
altnamespace=no
while [[ $# -gt 0 ]]; do
  case $1 in
    --users) [[ $# -ge 2 ]] || usage; users=$2; shift ;;
    --no-default-folders) default_folders=no ;;
    --altnamespace) altnamespace=yes ;;
    -h | --help) usage ;;
    *) echo "$0: unknown option: $1" >&2; usage ;;
  esac
  shift
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
common=$here/../mailservers
# shellcheck source-path=SCRIPTDIR source=../mailservers/common.sh
. "$common/common.sh"
for tool in openssl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$0: '$tool' not found" >&2; exit 1; }
done
export PATH="$PATH:/usr/sbin:/sbin"
pkg=$("$common/unpack-packages.sh" cyrus)
bin=$pkg/usr/lib/cyrus/bin
# Cyrus's own libraries (libcyrus*.so) come with cyrus-common, so they are in
# the unpacked tree; every other library is installed from Debian.
libs=$pkg/usr/lib/x86_64-linux-gnu
if [[ ! -x $bin/master ]]; then
  echo "$0: $bin/master is missing; remove $pkg to unpack again" >&2
  exit 1
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ $dir =~ [[:space:]\"\'\\#\$] ]]; then
  echo "$0: the directory path must not hold spaces, quotes, '#', '\$' or backslashes: $dir" >&2
  exit 2
fi
if [[ -e $dir/imapd.conf ]]; then
  echo "$0: $dir already holds a Cyrus instance; stop it and use an empty directory" >&2
  exit 1
fi
mkdir -p "$dir/lib/db" "$dir/lib/socket" "$dir/lib/msg" "$dir/spool" "$dir/run/socket" "$dir/run/proc" "$dir/run/lock"

make_test_tls "$dir"
make_test_password "$dir"

if [[ $(id -u) -eq 0 ]]; then
  run_user=nobody
  run_group=$(id -gn nobody)
  chmod 755 "$dir"
  chown -R "$run_user:$run_group" "$dir/lib" "$dir/spool" "$dir/run"
  # Cyrus reads the key after dropping to its user.
  chown "$run_user" "$dir/tls" "$dir/tls/server.key"
  if ! runuser -u "$run_user" -- test -w "$dir/spool"; then
    echo "$0: user '$run_user' cannot write to $dir/spool: every directory above it" \
      "must be searchable by others (chmod o+x), as under /tmp" >&2
    exit 1
  fi
  private_log=yes
else
  run_user=$(id -un)
  run_group=$(id -gn)
  private_log=no
fi

log=$dir/cyrus.log
: >"$log"
fail() {
  echo "$0: $*" >&2
  local f
  for f in "$log" "$dir/master.out"; do
    if [[ -s $f ]]; then
      echo "--- last lines of $f ---" >&2
      tail -n 20 "$f" >&2
    fi
  done
  "$here/stop-cyrus.sh" "$dir" >/dev/null 2>&1 || true
  exit 1
}

# Unix socket paths are limited to 107 bytes; a deep DIR gets its syslog
# socket in a short directory under /tmp, linked from DIR/run/syslog.
syslog_dir=$dir/run
if [[ ${#dir} -gt 80 ]]; then
  syslog_dir=$(mktemp -d /tmp/mailferry-cyrus-log.XXXXXX)
  ln -s "$syslog_dir" "$dir/run/syslog"
fi
if [[ $private_log == yes ]]; then
  rm -f "$dir/run/syslog.pid"
  setsid "$(python3_path)" "$common/syslog-to-file.py" "$syslog_dir/log.sock" "$log" "$dir/run/syslog.pid" \
    </dev/null >>"$dir/master.out" 2>&1 &
  disown $!
  for _ in $(seq 1 100); do
    [[ -s $dir/run/syslog.pid ]] && break
    sleep 0.01
  done
  [[ -s $dir/run/syslog.pid ]] || fail "the syslog reader (syslog-to-file.py) did not start"
fi

if [[ $default_folders == yes ]]; then
  autocreate="autocreate_inbox_folders: Drafts | Sent | Trash
autocreate_subscribe_folders: Drafts | Sent | Trash
xlist-drafts: Drafts
xlist-sent: Sent
xlist-trash: Trash"
else
  autocreate=
fi
cat >"$dir/imapd.conf" <<EOF
# Private Cyrus IMAP for mailferry tests; written by tests/cyrus/start-cyrus.sh.
# Everything lives in $dir.
configdirectory: $dir/lib
defaultpartition: default
partition-default: $dir/spool
proc_path: $dir/run/proc
mboxname_lockpath: $dir/run/lock
lmtpsocket: $dir/run/socket/lmtp
idlesocket: $dir/run/socket/idle
notifysocket: $dir/run/socket/notify
cyrus_user: $run_user
cyrus_group: $run_group
servername: localhost
syslog_prefix: cyrus-test-$(basename "$dir")

# Debian's defaults (/etc/imapd.conf of cyrus-common 3.6), but for
# --altnamespace.
altnamespace: $altnamespace
unixhierarchysep: $altnamespace
hashimapspool: true
allowanonymouslogin: no
autocreate_quota: 0
umask: 077
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auto_transition: no

sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $dir/sasldb2
sasl_mech_list: PLAIN LOGIN
# Debian sets popminpoll: 1, one POP3 login a minute per user (LOGIN-DELAY
# 60); tests log in again at once, so the upstream default of no limit.
popminpoll: 0
tls_server_cert: $dir/tls/server.pem
tls_server_key: $dir/tls/server.key
$autocreate
EOF

write_cyrus_conf() {
  cat >"$dir/cyrus.conf" <<EOF
# Written by tests/cyrus/start-cyrus.sh.
START {
  recover cmd="$bin/ctl_cyrusdb -C $dir/imapd.conf -r"
}
SERVICES {
  imap  cmd="$bin/imapd -C $dir/imapd.conf" listen="127.0.0.1:$imap_port" prefork=0
  imaps cmd="$bin/imapd -s -C $dir/imapd.conf" listen="127.0.0.1:$imaps_port" prefork=0
  pop3  cmd="$bin/pop3d -C $dir/imapd.conf" listen="127.0.0.1:$pop3_port" prefork=0
  pop3s cmd="$bin/pop3d -s -C $dir/imapd.conf" listen="127.0.0.1:$pop3s_port" prefork=0
}
EVENTS {
}
EOF
}

# The users are in place before the first login can happen; saslpasswd2
# creates DIR/sasldb2 with the first.
if [[ -n $users ]]; then
  # shellcheck disable=SC2086 # a list of names
  "$here/add-users.sh" "$dir" $users
fi

master_pid=
start_master() {
  local cmd=(env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin LD_LIBRARY_PATH="$libs"
    "$bin/master" -C "$dir/imapd.conf" -M "$dir/cyrus.conf" -p "$dir/run/master.pid")
  if [[ $private_log == yes ]]; then
    cmd=(unshare -m --propagation private "$common/with-private-devlog.sh"
      "$syslog_dir/log.sock" "${cmd[@]}")
  fi
  # unshare, the wrapper and env each exec the next, so $! is the master.
  setsid "${cmd[@]}" </dev/null >>"$dir/master.out" 2>&1 &
  master_pid=$!
  # Not this shell's job any more: no "Killed" notice when a retry kills it.
  disown "$master_pid"
  # For stop-cyrus.sh, which may have to stop a master that never got as far
  # as writing its own pid file.
  echo "$master_pid" >"$dir/run/server.pid"
}

stop_master() {
  # shellcheck disable=SC2046 # a list of process ids
  kill -KILL "$master_pid" $(descendants_of "$master_pid") 2>/dev/null || true
}

started=no
for _ in 1 2 3 4 5; do
  picked=()
  imap_port=$(pick_port); picked+=("$imap_port")
  imaps_port=$(pick_port); picked+=("$imaps_port")
  pop3_port=$(pick_port); picked+=("$pop3_port")
  pop3s_port=$(pick_port); picked+=("$pop3s_port")
  write_cyrus_conf
  log_start=$(($(stat -c %s "$log") + 1))
  start_master
  # The master binds its listeners after the START entries have run; one it
  # cannot bind is only logged, so success is this master holding all four.
  ready=no
  for _ in $(seq 1 100); do
    process_alive "$master_pid" || break
    if server_holds_ports "$master_pid" "$imap_port" "$imaps_port" "$pop3_port" "$pop3s_port"; then
      ready=yes
      break
    fi
    # The master logs a port it could not bind and goes on without it.
    tail -c "+$log_start" "$log" | grep -q "Address already in use" && break
    sleep 0.02
  done
  if [[ $ready == yes ]]; then
    started=yes
    break
  fi
  process_alive "$master_pid" || fail "the Cyrus master exited at start"
  # A port another start took between pick and bind: try new ones.
  stop_master
  for _ in $(seq 1 20); do
    process_alive "$master_pid" || break
    sleep 0.05
  done
done
if [[ $altnamespace == yes ]]; then separator=/ prefix=; else separator=. prefix=INBOX.; fi
[[ $started == yes ]] || fail "Cyrus did not listen on its ports (5 attempts)"
if [[ $private_log == yes ]]; then
  # stop-cyrus.sh ends every process of the master's namespace, even one
  # whose parent died.
  mount_namespace_of "$master_pid" >"$dir/run/mount-namespace"
fi

cat >"$dir/env" <<EOF
IMAP_PORT=$imap_port
IMAPS_PORT=$imaps_port
POP3_PORT=$pop3_port
POP3S_PORT=$pop3s_port
CA_FILE=$dir/tls/ca.pem
PASSWORD_FILE=$dir/password
SERVER_KIND=cyrus
SERVER_LOG=$log
SERVER_CONF=$dir/imapd.conf
ADD_USERS=$here/add-users.sh
IMAP_SEPARATOR=$separator
IMAP_PREFIX=$prefix
EOF
