#!/usr/bin/env bash
# Starts a private, throwaway Courier-IMAP 5.0 (IMAP + POP3) in DIR, for the
# test suite. Nothing outside DIR is touched: its configuration and userdb are
# in DIR (the system's /etc is never changed), it has its own self-signed CA,
# and it listens on free ports of 127.0.0.1 only.
#
# Usage: start-courier.sh DIR [--users "alice bob ..."] [--no-default-folders]
#
# The server is Debian's courier-imap, courier-pop, courier-base and
# courier-authdaemon/courier-authlib(-userdb), unpacked by
# tests/mailservers/unpack-packages.sh into a private cache and never
# installed: they conflict with the Dovecot the other tests use, and their
# package scripts add a system user, write /etc/courier and start services.
# Courier's programs have their paths compiled in, so they run in a private
# mount namespace (courier-namespace.sh) that shows the unpacked files and
# DIR's configuration at those paths; that needs root (unshare, mount).
#
# Shape, the classic Courier one with Debian's configuration files (only the
# ports, the address, the certificate and the TLS cache are changed): Maildir++
# under DIR/mail/<user>/Maildir, personal folders under "INBOX." with the
# separator ".", NAMESPACE (("INBOX." ".")) NIL (("#shared." ".")...), no
# SPECIAL-USE, no LITERAL+; IMAP_EMPTYTRASH=Trash:7. Each user gets INBOX.Sent,
# INBOX.Drafts and INBOX.Trash, subscribed, as a hosting panel (cPanel) makes
# them; Courier itself creates none. --no-default-folders leaves only INBOX.
# Debian's limits stay: at most 20 IMAP and 4 POP3 connections per client
# address (MAXPERIP).
#
# Users: every user in --users, or added later with add-users.sh DIR USER...
# (while the server runs), logs in with the password in DIR/password (mode
# 600; it holds a space, a double quote and a backslash, so it must be quoted
# in IMAP). They are in Courier's userdb (DIR/etc-courier/userdb, password
# hashed by userdbpw -md5), read by authdaemond with authuserdb only.
#
# On success DIR/env holds shell assignments:
#   IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT CA_FILE PASSWORD_FILE
#   SERVER_KIND=courier SERVER_LOG (what authdaemond, couriertcpd, imapd and
#   pop3d write) SERVER_CONF (DIR/etc-courier, seen as /etc/courier)
#   ADD_USERS (add-users.sh) IMAP_SEPARATOR=. IMAP_PREFIX=INBOX.
# Stop it with stop-courier.sh DIR.
set -euo pipefail

usage() {
  echo "usage: $0 DIR [--users \"USER...\"] [--no-default-folders]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
dir=$1
shift
users=
default_folders=yes
while [[ $# -gt 0 ]]; do
  case $1 in
    --users) [[ $# -ge 2 ]] || usage; users=$2; shift ;;
    --no-default-folders) default_folders=no ;;
    -h | --help) usage ;;
    *) echo "$0: unknown option: $1" >&2; usage ;;
  esac
  shift
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
common=$here/../mailservers
# shellcheck source-path=SCRIPTDIR source=../mailservers/common.sh
. "$common/common.sh"
if [[ $(id -u) -ne 0 ]]; then
  echo "$0: needs root: Courier runs in a private mount namespace (unshare -m)" >&2
  exit 1
fi
for tool in openssl unshare nsenter mount; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$0: '$tool' not found" >&2; exit 1; }
done
export PATH="$PATH:/usr/sbin:/sbin"
pkg=$("$common/unpack-packages.sh" courier)
if [[ ! -x $pkg/usr/lib/courier/courier/imaplogin ]]; then
  echo "$0: $pkg/usr/lib/courier/courier/imaplogin is missing; remove $pkg to unpack again" >&2
  exit 1
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ $dir =~ [[:space:]\"\'\\#\$:,|] ]]; then
  echo "$0: the directory path must not hold spaces, quotes, '#', '\$', ':', ',', '|' or backslashes: $dir" >&2
  exit 2
fi
case $dir/ in
  /usr/* | /etc/* | /run/*)
    echo "$0: DIR cannot be under /usr, /etc or /run, which the namespace covers: $dir" >&2
    exit 2
    ;;
esac
if [[ -e $dir/etc-courier ]]; then
  echo "$0: $dir already holds a Courier instance; stop it and use an empty directory" >&2
  exit 1
fi
etc=$dir/etc-courier
mkdir -p "$etc" "$dir/run" "$dir/mail"
chmod 755 "$dir"
echo "$default_folders" >"$etc/mailferry-default-folders"

make_test_tls "$dir"
make_test_password "$dir"
# Courier wants the key and the certificate in one file; for STARTTLS,
# couriertls reads it as the user "courier" (below).
(umask 077 && cat "$dir/tls/server.key" "$dir/tls/server.pem" >"$etc/server.pem")
chown nobody "$etc/server.pem"

# The mail belongs to "nobody", as with the test Dovecot; the login processes
# switch to the uid in the user's userdb entry.
chown nobody:"$(id -gn nobody)" "$dir/mail"
if ! runuser -u nobody -- test -w "$dir/mail"; then
  echo "$0: user 'nobody' cannot write to $dir/mail: every directory above it" \
    "must be searchable by others (chmod o+x), as under /tmp" >&2
  exit 1
fi

# imaplogin and couriertls switch to the user "courier" for the TLS layer;
# Debian's courier-authlib adds it at install. Here it exists only in the
# namespace's /etc/passwd and /etc/group (copies with one more line, laid
# over the real ones), with the uid and gid of "nobody".
if ! getent passwd courier >/dev/null; then
  mkdir -p "$dir/etc-overlay"
  cp /etc/passwd /etc/group "$dir/etc-overlay/"
  echo "courier:x:$(id -u nobody):$(id -g nobody):Courier mail server:/nonexistent:/usr/sbin/nologin" \
    >>"$dir/etc-overlay/passwd"
  getent group courier >/dev/null ||
    echo "courier:x:$(id -g nobody):" >>"$dir/etc-overlay/group"
fi

# Debian's files, then what this instance changes; later assignments win when
# the start code sources them.
for f in imapd imapd-ssl pop3d pop3d-ssl; do
  cp "$pkg/etc/courier/$f" "$etc/$f"
done
for f in imapd-ssl pop3d-ssl; do
  cat >>"$etc/$f" <<'EOF'

# mailferry test instance (tests/courier/start-courier.sh): this instance's
# certificate; no session cache file (Debian's is under /var/lib/courier).
TLS_CERTFILE=/etc/courier/server.pem
TLS_CACHEFILE=
EOF
done
cat >"$etc/authdaemonrc" <<'EOF'
# mailferry test instance (tests/courier/start-courier.sh): the userdb only.
authmodulelist="authuserdb"
authmodulelistorig="authuserdb"
daemons=2
authdaemonvar=/run/courier/authdaemon
DEBUG_LOGIN=0
DEFAULTOPTIONS=""
LOGGEROPTS=""
EOF
(umask 077 && : >"$etc/userdb")

if [[ -n $users ]]; then
  # shellcheck disable=SC2086 # a list of names
  "$here/add-users.sh" "$dir" $users
fi

log=$dir/courier.log
: >"$log"
fail() {
  echo "$0: $*" >&2
  if [[ -s $log ]]; then
    echo "--- last lines of $log ---" >&2
    tail -n 20 "$log" >&2
  fi
  "$here/stop-courier.sh" "$dir" >/dev/null 2>&1 || true
  exit 1
}

holder=
stop_instance() {
  # shellcheck disable=SC2046 # a list of process ids
  kill -KILL "$holder" $(descendants_of "$holder") \
    $(processes_in_namespace "$(cat "$dir/mount-namespace" 2>/dev/null)") 2>/dev/null || true
}

started=no
for _ in 1 2 3 4 5; do
  picked=()
  imap_port=$(pick_port); picked+=("$imap_port")
  imaps_port=$(pick_port); picked+=("$imaps_port")
  pop3_port=$(pick_port); picked+=("$pop3_port")
  pop3s_port=$(pick_port); picked+=("$pop3s_port")
  log_start=$(($(stat -c %s "$log") + 1))
  setsid unshare -m --propagation private "$here/courier-namespace.sh" "$dir" "$pkg" \
    "$imap_port" "$imaps_port" "$pop3_port" "$pop3s_port" </dev/null >>"$log" 2>&1 &
  holder=$!
  # Not this shell's job any more: no "Killed" notice when a retry kills it.
  disown "$holder"
  echo "$holder" >"$dir/server.pid"
  ready=no
  lost_port=no
  for _ in $(seq 1 100); do
    process_alive "$holder" || break
    if server_holds_ports "$(descendants_of "$holder")" \
      "$imap_port" "$imaps_port" "$pop3_port" "$pop3s_port" &&
      [[ -S $dir/run/courier/authdaemon/socket ]]; then
      ready=yes
      break
    fi
    # A couriertcpd that lost its port to a parallel start says so and exits.
    if tail -c "+$log_start" "$log" | grep -q "Address already in use"; then
      lost_port=yes
      break
    fi
    sleep 0.02
  done
  if [[ $ready == yes ]]; then
    started=yes
    break
  fi
  process_alive "$holder" || fail "Courier's namespace exited at start"
  stop_instance
  rm -f "$dir/mount-namespace"
  [[ $lost_port == yes ]] || fail "Courier did not listen on its ports within 2 seconds"
done
[[ $started == yes ]] || fail "Courier did not listen on its ports (5 attempts)"

cat >"$dir/env" <<EOF
IMAP_PORT=$imap_port
IMAPS_PORT=$imaps_port
POP3_PORT=$pop3_port
POP3S_PORT=$pop3s_port
CA_FILE=$dir/tls/ca.pem
PASSWORD_FILE=$dir/password
SERVER_KIND=courier
SERVER_LOG=$log
SERVER_CONF=$etc
ADD_USERS=$here/add-users.sh
IMAP_SEPARATOR=.
IMAP_PREFIX=INBOX.
EOF
