#!/bin/sh
# Builds the .deb of the build directory BUILD with cpack and checks what it
# installs (the binary, both man pages, the bash completion, both JSON
# schemas) and that its Depends name the libraries the binary needs.
#
# Usage: check-deb.sh BUILD
set -eu
build=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/mailferry-deb.XXXXXX")
trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || {
  cat "$out/cpack.log" >&2
  exit 1
}
deb=$(ls "$out"/*.deb)
contents=$(dpkg-deb -c "$deb")
status=0
for path in ./usr/bin/mailferry ./usr/share/man/man1/mailferry.1 ./usr/share/man/man5/mailferry-job.5 \
  ./usr/share/bash-completion/completions/mailferry ./usr/share/mailferry/mailferry-job.schema.json \
  ./usr/share/mailferry/mailferry-report.schema.json ./usr/share/mailferry/mailferry-status.schema.json; do
  if ! printf '%s\n' "$contents" | grep -q " $path\$"; then
    echo "check-deb: $deb does not install $path" >&2
    status=1
  fi
done
depends=$(dpkg-deb -f "$deb" Depends)
for library in libcurl libpst libgmime-3.0 libsqlite3 libssl; do
  if ! printf '%s\n' "$depends" | grep -q "$library"; then
    echo "check-deb: Depends lacks $library: $depends" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "check-deb: $(basename "$deb") installs all, Depends: $depends"
exit $status
