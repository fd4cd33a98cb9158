#!/usr/bin/env bash
# Adds users to a Cyrus started by start-cyrus.sh DIR, while it runs or before
# it starts. Each gets the instance's password (DIR/password) in DIR/sasldb2;
# Cyrus creates the INBOX (and Drafts, Sent, Trash) at the user's first login.
# Adding a user that exists sets the same password again.
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
pkg=$("$common/unpack-packages.sh" cyrus)

password=$(read_test_password "$dir")
# Cyrus reads the database as the owner of its spool.
owner=$(stat -c %U:%G "$dir/spool")
for user in "$@"; do
  if [[ ! $user =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
    echo "$0: not a plain user name: '$user'" >&2
    exit 2
  fi
  # -p: the password comes from standard input, never from the command
  # line; -u: the realm Cyrus looks users up in is its servername.
  printf '%s' "$password" |
    env LD_LIBRARY_PATH="$pkg/usr/lib/x86_64-linux-gnu" \
      "$pkg/usr/sbin/saslpasswd2" -p -c -f "$dir/sasldb2" -u localhost "$user"
done
# saslpasswd2 may write the database anew; the server's user reads it.
[[ $(id -u) -ne 0 ]] || chown "$owner" "$dir/sasldb2"
