#!/usr/bin/env bash
# Adds users to a Courier started by start-courier.sh DIR, while it runs (or,
# called by start-courier.sh, before it starts). Each gets the instance's
# password (DIR/password, hashed with Courier's userdbpw -md5) in the userdb
# DIR/etc-courier/userdb, and a Maildir under DIR/mail/USER with INBOX.Sent,
# INBOX.Drafts and INBOX.Trash, subscribed (unless the instance was started
# with --no-default-folders). Adding a user that exists sets the same
# password again and keeps the mail. Needs root, like the server.
#
# Usage: add-users.sh DIR USER...
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 DIR USER..." >&2
  exit 2
fi
dir=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
common=$here/../mailservers
# shellcheck source-path=SCRIPTDIR source=../mailservers/common.sh
. "$common/common.sh"
pkg=$("$common/unpack-packages.sh" courier)
etc=$dir/etc-courier

password=$(read_test_password "$dir")
uid=$(id -u nobody)
gid=$(id -g nobody)
default_folders=$(cat "$etc/mailferry-default-folders")
maildirmake=$pkg/usr/bin/maildirmake.courier

# One writer of the userdb at a time.
exec 9>"$etc/.add-users.lock"
flock 9
for user in "$@"; do
  if [[ ! $user =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
    echo "$0: not a plain user name: '$user'" >&2
    exit 2
  fi
  home=$dir/mail/$user
  if [[ ! -d $home/Maildir ]]; then
    mkdir -p "$home"
    "$maildirmake" "$home/Maildir"
    if [[ $default_folders == yes ]]; then
      for folder in Sent Drafts Trash; do
        "$maildirmake" -f "$folder" "$home/Maildir"
        echo "INBOX.$folder" >>"$home/Maildir/courierimapsubscribed"
      done
    fi
    chown -R "$uid:$gid" "$home"
  fi
  # userdbpw reads the password from standard input: never on a command line.
  hash=$(printf '%s' "$password" | "$pkg/usr/sbin/userdbpw" -md5)
  entry=$(printf '%s\tuid=%s|gid=%s|home=%s|mail=%s|systempw=%s' \
    "$user" "$uid" "$gid" "$home" "$home/Maildir" "$hash")
  grep -v -- "^$user	" "$etc/userdb" >"$etc/userdb.new" || true
  echo "$entry" >>"$etc/userdb.new"
  chmod 600 "$etc/userdb.new"
  mv "$etc/userdb.new" "$etc/userdb"
done

# makeuserdb compiles the userdb into userdb.dat, which authdaemond reads.
# It has its paths compiled in, so it runs in the server's mount namespace;
# before the server runs, courier-namespace.sh runs it at start.
holder=$(cat "$dir/server.pid" 2>/dev/null || true)
if [[ $holder =~ ^[0-9]+$ ]] && grep -qa -- "courier-namespace.sh" "/proc/$holder/cmdline" 2>/dev/null &&
  grep -qa -- "$dir" "/proc/$holder/cmdline" 2>/dev/null; then
  nsenter -t "$holder" -m -- /usr/sbin/makeuserdb
fi
