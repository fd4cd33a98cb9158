#!/usr/bin/env bash
# Unpacks the Debian packages of a test mail server (Cyrus IMAP or
# Courier-IMAP) into a private cache and prints the directory that holds the
# unpacked tree (its usr/, etc/ ...).
#
# Usage: unpack-packages.sh cyrus|courier
#
# Why unpacked and not installed: the server packages conflict with the
# system's Dovecot (all of them provide imap-server / pop3-server), and their
# maintainer scripts add system users, write /etc and start services. The test
# servers only need the files: `apt-get download` fetches the .debs and
# `dpkg -x` unpacks them, so nothing is registered with dpkg and nothing
# outside the cache changes. The shared libraries they link (libical,
# libxapian, libidn, courier-unicode ...) are ordinary library packages that
# scripts/install-deps.sh installs with apt.
#
# Cache: $MAILFERRY_TEST_SERVERS_CACHE, else /var/cache/mailferry-test-servers
# for root, else ${XDG_CACHE_HOME:-~/.cache}/mailferry-test-servers. Each kind
# is unpacked once into KIND/ (a temporary directory renamed into place under
# a lock), so concurrent callers either wait or find it complete. Delete the
# directory to unpack again (after a package update, say).
set -euo pipefail

usage() {
  echo "usage: $0 cyrus|courier" >&2
  exit 2
}
[[ $# -eq 1 ]] || usage
kind=$1
case $kind in
  # sasl2-bin only for saslpasswd2 (its saslauthd service is never wanted).
  cyrus) packages=(cyrus-common cyrus-imapd cyrus-pop3d sasl2-bin) ;;
  courier) packages=(courier-base courier-imap courier-pop courier-authdaemon
    courier-authlib courier-authlib-userdb) ;;
  *) usage ;;
esac

if [[ -n ${MAILFERRY_TEST_SERVERS_CACHE-} ]]; then
  cache=$MAILFERRY_TEST_SERVERS_CACHE
elif [[ $(id -u) -eq 0 ]]; then
  cache=/var/cache/mailferry-test-servers
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/mailferry-test-servers
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# The tree is used as an overlayfs lower directory, whose option syntax
# reserves ':' and ','.
if [[ $cache =~ [[:space:]:,\"\'\\] ]]; then
  echo "$0: the cache path must not hold spaces, quotes, ':', ',' or backslashes: $cache" >&2
  exit 2
fi
root=$cache/$kind
if [[ -e $root/.complete ]]; then
  echo "$root"
  exit 0
fi

for tool in apt-get dpkg-deb flock; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "$0: '$tool' not found (Debian's apt, dpkg and util-linux)" >&2
    exit 1
  }
done

exec 9>"$cache/.$kind.lock"
flock 9
if [[ ! -e $root/.complete ]]; then
  work=$(mktemp -d "$cache/.$kind.XXXXXX")
  trap 'rm -rf -- "$work"' EXIT
  mkdir "$work/debs" "$work/tree"
  # apt-get download writes into the current directory; as root it warns
  # that the _apt user cannot write there, which is harmless.
  download() { (cd "$work/debs" && apt-get download -q "${packages[@]}") >"$work/apt.log" 2>&1; }
  if ! download; then
    # A fresh system has no package lists yet.
    if [[ $(id -u) -eq 0 ]]; then
      apt-get update -q >>"$work/apt.log" 2>&1 || true
    fi
    if ! download; then
      cat "$work/apt.log" >&2
      echo "$0: could not download ${packages[*]}" >&2
      exit 1
    fi
  fi
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/tree"
    # shellcheck disable=SC2016 # dpkg-deb's own field syntax
    dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$work/tree/.packages"
  done
  touch "$work/tree/.complete"
  rm -rf -- "$root"
  mv "$work/tree" "$root"
fi
echo "$root"
