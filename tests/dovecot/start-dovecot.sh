#!/usr/bin/env bash
# Starts a private, throwaway Dovecot (IMAP + POP3) in DIR, for the test suite
# and the README demo. Nothing outside DIR is touched: the server has its own
# configuration (the system's /etc/dovecot is never read), its own self-signed
# CA, and listens on free ports of 127.0.0.1 only.
#
# Usage: start-dovecot.sh DIR [--no-special-use] [--minimal] [--separator SEP]
#                             [--prefix PREFIX] [--no-default-folders]
#                             [--quota SIZE] [--max-mail-size BYTES]
#                             [--advertise-appendlimit]
#                             [--pop3-no-pipelining] [--durable]
#
# --quota SIZE: the quota plugin with a storage limit of SIZE per user
# (Dovecot's units: 100k, 2M); an APPEND beyond it is refused with
# NO [OVERQUOTA].
# --max-mail-size BYTES: the quota plugin's quota_max_mail_size: a bigger
# APPEND is refused with NO [LIMIT]. Dovecot 2.3 does not advertise it;
# --advertise-appendlimit adds APPENDLIMIT=BYTES (RFC 7889) to the post-login
# CAPABILITY, as servers that know the extension do.
#
# --minimal: the capabilities of a minimal IMAP4rev1 server (Courier-like): no
# NAMESPACE, LITERAL+, UIDPLUS, CONDSTORE/QRESYNC, SPECIAL-USE or MULTIAPPEND,
# so that every fallback path of a client meets a real server. (Dovecot still
# understands those commands; a client that keeps to what is advertised never
# sends them.) Implies --no-special-use.
#
# --no-default-folders: no Drafts, Sent, Trash and Junk are made for each user
# (tests of servers whose folders have other names create their own).
#
# --durable: keep Dovecot's default mail_fsync (the tests turn fsync off for speed).
#
# --pop3-no-pipelining: Dovecot 2.3 always advertises PIPELINING in CAPA, so
# with this option POP3/POP3S are served by pop3-capa-filter.py, a relay that
# drops it from CAPA (and ends TLS itself) in front of Dovecot's POP3.
#
# Any user name logs in with the password in DIR/password; mail is stored
# under DIR/mail/<user>. On success DIR/env holds shell assignments:
#   IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT CA_FILE PASSWORD_FILE
#   DOVECOT_CONF DOVECOT_LOG
# Stop it with stop-dovecot.sh DIR.
#
# Works as root (Dovecot's own users run the login and auth processes, and
# mail is stored as "nobody", since Dovecot refuses uid 0 for mail) and as a
# normal user (every Dovecot process then runs as that user).
set -euo pipefail

usage() {
  echo "usage: $0 DIR [--no-special-use] [--minimal] [--separator SEP] [--prefix PREFIX] [--no-default-folders] [--quota SIZE] [--max-mail-size BYTES] [--advertise-appendlimit] [--pop3-no-pipelining] [--durable]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
dir=$1
shift
special_use=yes
minimal=no
separator=/
prefix=
pop3_pipelining=yes
fsync=never
default_folders=subscribe
quota_storage=
max_mail_size=
advertise_appendlimit=no
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-special-use) special_use=no ;;
    --minimal) minimal=yes; special_use=no ;;
    --separator) [[ $# -ge 2 ]] || usage; separator=$2; shift ;;
    --prefix) [[ $# -ge 2 ]] || usage; prefix=$2; shift ;;
    --no-default-folders) default_folders=no ;;
    --quota) [[ $# -ge 2 ]] || usage; quota_storage=$2; shift ;;
    --max-mail-size) [[ $# -ge 2 ]] || usage; max_mail_size=$2; shift ;;
    --advertise-appendlimit) advertise_appendlimit=yes ;;
    --pop3-no-pipelining) pop3_pipelining=no ;;
    --durable) fsync=optimized ;;
    -h | --help) usage ;;
    *) echo "$0: unknown option: $1" >&2; usage ;;
  esac
  shift
done
if [[ -n $max_mail_size && ! $max_mail_size =~ ^[0-9]+$ ]]; then
  echo "$0: --max-mail-size takes a number of bytes, got '$max_mail_size'" >&2
  exit 2
fi
if [[ $advertise_appendlimit == yes && -z $max_mail_size ]]; then
  echo "$0: --advertise-appendlimit needs --max-mail-size" >&2
  exit 2
fi
if [[ ${#separator} -ne 1 ]]; then
  echo "$0: --separator takes one character, got '$separator'" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in dovecot doveadm doveconf openssl; do
  if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$tool ]]; then
    echo "$0: '$tool' not found; install dovecot-imapd, dovecot-pop3d and openssl" >&2
    exit 1
  fi
done
export PATH="$PATH:/usr/sbin:/sbin"
# shellcheck source-path=SCRIPTDIR source=../mailservers/common.sh
. "$here/../mailservers/common.sh"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ $dir =~ [[:space:]\"\'\\#\$] ]]; then
  echo "$0: the directory path must not hold spaces, quotes, '#', '\$' or backslashes: $dir" >&2
  exit 2
fi
if [[ -e $dir/dovecot.conf ]]; then
  echo "$0: $dir already holds a Dovecot instance; stop it and use an empty directory" >&2
  exit 1
fi
mkdir -p "$dir/mail" "$dir/home"

# Unix sockets live in base_dir and their paths are limited to 107 bytes; a
# deep DIR gets its sockets in a short directory under /tmp instead, linked
# from DIR/run so that everything is still found through DIR.
if [[ ${#dir} -le 60 ]]; then
  mkdir -p "$dir/run"
  base_dir=$dir/run
else
  base_dir=$(mktemp -d /tmp/mailferry-dovecot-run.XXXXXX)
  ln -s "$base_dir" "$dir/run"
fi

# --- TLS: a private CA and a server certificate for 127.0.0.1 / localhost ---
make_test_tls "$dir"
tls=$dir/tls

# --- the password every user logs in with ---
(umask 077 && openssl rand -hex 16 >"$dir/password")
password=$(cat "$dir/password")

# --- who the processes run as ---
if [[ $(id -u) -eq 0 ]]; then
  # Dovecot's own unprivileged users, created by the Debian package.
  login_user=dovenull
  internal_user=dovecot
  internal_group=dovecot
  # Dovecot never accesses mail as root (a userdb uid of 0 is refused), so as
  # root the mail belongs to "nobody"; root still reads and removes it.
  mail_user=nobody
  for u in "$login_user" "$internal_user" "$mail_user"; do
    if ! id "$u" >/dev/null 2>&1; then
      echo "$0: system user '$u' is missing (dovenull and dovecot come with dovecot-core)" >&2
      exit 1
    fi
  done
  uid=$(id -u "$mail_user")
  gid=$(id -g "$mail_user")
  chmod 755 "$dir"
  chown "$uid:$gid" "$dir/mail" "$dir/home"
  if command -v runuser >/dev/null 2>&1 &&
    ! runuser -u "$mail_user" -- test -w "$dir/mail"; then
    echo "$0: user '$mail_user' cannot write to $dir/mail: every directory above it" \
      "must be searchable by others (chmod o+x), as under /tmp" >&2
    exit 1
  fi
else
  login_user=$(id -un)
  internal_user=$login_user
  internal_group=$(id -gn)
  uid=$(id -u)
  gid=$(id -g)
fi

if [[ $pop3_pipelining == no ]] && ! command -v python3 >/dev/null 2>&1; then
  echo "$0: --pop3-no-pipelining needs python3" >&2
  exit 1
fi

# --- free ports (pick_port) ---
# A port another starting instance has just picked is caught later, when
# Dovecot fails to bind, and then the whole start is retried with new ports.

write_config() {
  local conf=$dir/dovecot.conf
  local su_sent= su_drafts= su_trash= su_junk= su_archive= capability=
  if [[ $special_use == no ]]; then
    # Dovecot 2.3 advertises SPECIAL-USE whatever the mailboxes say; the only
    # way to drop it is to spell out its post-login capability list without it.
    capability="imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE LITERAL+"
    if [[ $minimal == yes ]]; then
      capability="imap_capability = IMAP4rev1 IDLE CHILDREN"
    fi
  else
    su_sent='special_use = \Sent'
    su_drafts='special_use = \Drafts'
    su_trash='special_use = \Trash'
    su_junk='special_use = \Junk'
    su_archive='special_use = \Archive'
  fi
  if [[ $advertise_appendlimit == yes ]]; then
    # "+" adds to Dovecot's own list; a list spelled out above gets it appended.
    if [[ -n $capability ]]; then
      capability="$capability APPENDLIMIT=$max_mail_size"
    else
      capability="imap_capability = +APPENDLIMIT=$max_mail_size"
    fi
  fi
  local plugins= quota_config=
  if [[ -n $quota_storage || -n $max_mail_size ]]; then
    plugins=quota
    quota_config="protocol imap {
  mail_plugins = \$mail_plugins imap_quota
}
plugin {
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=${quota_storage:-0}
  ${max_mail_size:+quota_max_mail_size = $max_mail_size}
}"
  fi
  cat >"$conf" <<EOF
# Private Dovecot for mailferry tests; written by tests/dovecot/start-dovecot.sh.
# Everything lives in $dir.
protocols = imap pop3
listen = 127.0.0.1
base_dir = $base_dir
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
instance_name = mailferry-test-$(basename "$dir")
shutdown_clients = yes

default_login_user = $login_user
default_internal_user = $internal_user
default_internal_group = $internal_group
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid

ssl = yes
ssl_cert = <$tls/server.pem
ssl_key = <$tls/server.key
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
login_greeting = mailferry test server ready.
$capability

passdb {
  driver = static
  args = password=$password
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
mail_location = sdbox:$dir/mail/%u
# A throwaway server need not survive a power cut: without fsync the tests run
# several times faster. Benchmarks pass --durable to measure Dovecot's default.
mail_fsync = $fsync
mail_plugins = $plugins
$quota_config

namespace inbox {
  inbox = yes
  separator = $separator
  prefix = $prefix
  mailbox Drafts {
    auto = $default_folders
    $su_drafts
  }
  mailbox Sent {
    auto = $default_folders
    $su_sent
  }
  mailbox Trash {
    auto = $default_folders
    $su_trash
  }
  mailbox Junk {
    auto = $default_folders
    $su_junk
  }
  mailbox Archive {
    auto = no
    $su_archive
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $dovecot_pop3_port
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $dovecot_pop3s_port
    ssl = yes
  }
}
EOF
  if [[ $(id -u) -ne 0 ]]; then
    # Without root nothing can chroot or change user.
    cat >>"$conf" <<EOF

service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service pop3-login {
  chroot =
}
EOF
  fi
}

log=$dir/dovecot.log
fail() {
  echo "$0: $*" >&2
  if [[ -s $log ]]; then
    echo "--- last lines of $log ---" >&2
    tail -n 20 "$log" >&2
  fi
  exit 1
}

# With --pop3-no-pipelining the relay owns the POP3 ports; returns 3 when
# one of its ports was taken meanwhile.
start_pop3_filter() {
  local ready=$dir/run/pop3-filter.pid
  rm -f "$ready"
  setsid python3 "$here/pop3-capa-filter.py" "$pop3_port" "$pop3s_port" "$dovecot_pop3_port" \
    "$tls/server.pem" "$tls/server.key" "$ready" \
    </dev/null >>"$dir/pop3-filter.log" 2>&1 &
  local filter_pid=$!
  for _ in $(seq 1 100); do
    [[ -s $ready ]] && return 0
    if ! kill -0 "$filter_pid" 2>/dev/null; then
      wait "$filter_pid"
      return $?
    fi
    sleep 0.1
  done
  kill "$filter_pid" 2>/dev/null
  return 1
}

mkdir -p "$dir/state"
started=no
for attempt in 1 2 3 4 5; do
  picked=()
  imap_port=$(pick_port); picked+=("$imap_port")
  imaps_port=$(pick_port); picked+=("$imaps_port")
  pop3_port=$(pick_port); picked+=("$pop3_port")
  pop3s_port=$(pick_port); picked+=("$pop3s_port")
  if [[ $pop3_pipelining == yes ]]; then
    dovecot_pop3_port=$pop3_port
    dovecot_pop3s_port=$pop3s_port
  else
    dovecot_pop3_port=$(pick_port); picked+=("$dovecot_pop3_port")
    dovecot_pop3s_port=0  # not listening; the relay does implicit TLS
  fi
  write_config
  : >"$log"
  # The master binds every listener before it goes to the background, so a
  # port lost to a parallel start shows up as a failing exit status here.
  if ! dovecot -c "$dir/dovecot.conf" 2>"$dir/dovecot.start.err"; then
    if grep -qi "address already in use" "$dir/dovecot.start.err" "$log" 2>/dev/null; then
      continue
    fi
    [[ -s $log ]] || cat "$dir/dovecot.start.err" >&2
    fail "dovecot did not start"
  fi
  if [[ $pop3_pipelining == no ]]; then
    filter_status=0
    start_pop3_filter || filter_status=$?
    if [[ $filter_status -ne 0 ]]; then
      "$here/stop-dovecot.sh" "$dir" >/dev/null 2>&1 || true
      [[ $filter_status -eq 3 ]] && continue
      cat "$dir/pop3-filter.log" >&2
      fail "the POP3 relay (pop3-capa-filter.py) did not start"
    fi
  fi
  started=yes
  break
done
[[ $started == yes ]] || fail "no free ports found after 5 attempts"

# Wait until every listener accepts connections (bounded).
for _ in $(seq 1 100); do
  ready=yes
  for p in "$imap_port" "$imaps_port" "$pop3_port" "$pop3s_port"; do
    port_answers "$p" || { ready=no; break; }
  done
  [[ $ready == yes ]] && break
  sleep 0.1
done
if [[ $ready != yes ]]; then
  "$here/stop-dovecot.sh" "$dir" >/dev/null 2>&1 || true
  fail "dovecot did not answer on its ports within 10 seconds"
fi

cat >"$dir/env" <<EOF
IMAP_PORT=$imap_port
IMAPS_PORT=$imaps_port
POP3_PORT=$pop3_port
POP3S_PORT=$pop3s_port
CA_FILE=$tls/ca.pem
PASSWORD_FILE=$dir/password
DOVECOT_CONF=$dir/dovecot.conf
DOVECOT_LOG=$log
EOF
