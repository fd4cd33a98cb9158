#!/usr/bin/env bash
# Installs the Debian 12 packages mailferry needs to build, test and run its
# demo. Does nothing when they are all installed already. Needs root (or sudo)
# only when something is missing.
#
# The Dovecot packages are only used for private test servers started by
# tests/dovecot/start-dovecot.sh; the system's own Dovecot service is kept
# from starting while they are installed.
#
# The Cyrus IMAP and Courier-IMAP test servers (tests/cyrus/, tests/courier/)
# are never installed: their packages conflict with Dovecot and start
# services. tests/mailservers/unpack-packages.sh downloads and unpacks them
# into a private cache (it ends this script); only the shared libraries they
# link are installed here, as ordinary library packages.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libcurl4-openssl-dev libssl-dev libcli11-dev nlohmann-json3-dev
  libgmime-3.0-dev libpst-dev libsqlite3-dev
  # tests and demo
  doctest-dev pst-utils dovecot-imapd dovecot-pop3d openssl python3
  # man pages
  groff-base man-db
  # the benchmark's peer for Maildir -> IMAP (bench/run.sh: mbsync rows)
  isync
  # libraries of the unpacked Cyrus test server (cyrus-common, -imapd, -pop3d)
  libical3 libicu72 libjansson4 libkrb5-3 libldap-2.5-0 libpcre3 libpq5
  libsasl2-2 libsasl2-modules libsasl2-modules-db libsqlite3-0 libwrap0
  libxapian30 libxml2
  # libraries of the unpacked Courier test server (courier-imap, -pop, -base,
  # courier-authlib); libgamin0 brings gamin's gam_server, started on demand
  # only, never a service
  libcourier-unicode4 libgamin0 libgdbm6 libgnutls30 libidn12 libltdl7 libpam0g
)

# The Cyrus and Courier test servers, unpacked into a private cache once.
unpack_test_servers() {
  "$root/tests/mailservers/unpack-packages.sh" cyrus >/dev/null
  "$root/tests/mailservers/unpack-packages.sh" courier >/dev/null
}

missing=()
for p in "${packages[@]}"; do
  if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != ii* ]]; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  unpack_test_servers
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps: run as root, or install these packages: ${missing[*]}" >&2
    exit 1
  fi
fi

# Keep package scripts from starting services (the system Dovecot above all):
# a policy-rc.d that denies every start, removed again afterwards unless one
# was there before.
policy=/usr/sbin/policy-rc.d
created_policy=no
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  created_policy=yes
fi
cleanup() {
  if [[ $created_policy == yes ]]; then "${sudo[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT

apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt[@]}" update -q
"${apt[@]}" install -y -q "${missing[@]}"
unpack_test_servers
