#!/usr/bin/env bash
# Makes the base image the Containerfile starts from,
# docker.io/library/debian:12-slim, on a machine that reaches Debian's package
# mirror but no container registry. The image is a Debian 12 (bookworm)
# minbase debootstrap from the mirror apt uses here, trimmed the way the
# official slim image is (no documentation, man pages or translations
# installed by later packages), and imported under the official name, so that
# `podman build --pull=never` (or docker) finds it locally.
#
# Does nothing when an image of that name exists already. The root file system
# is kept as a tarball in the cache directory, so a removed image is imported
# again without a new debootstrap. To start over, remove both:
#   podman rmi docker.io/library/debian:12-slim
#   rm /var/cache/mailferry-container/debian-bookworm-minbase-*.tar
#
# The image's apt sources are the host's Debian mirror (bookworm and
# bookworm-updates) and its security mirror, in deb822 form as in the official
# image. A proxy from the host's apt configuration (Acquire::http::Proxy) is
# used for the debootstrap only; nothing of it goes into the image (pass it to
# a build with --build-arg http_proxy=..., as
# tests/container/build-and-run-image.sh does).
#
# Needs root (debootstrap) only when the tarball is not cached yet.
#
# Usage: scripts/base-image.sh
# Environment:
#   MAILFERRY_CONTAINER_ENGINE  podman (default) or docker
#   MAILFERRY_CONTAINER_CACHE   where the tarball is kept (default: /var/cache/mailferry-container)
#   MAILFERRY_DEBIAN_MIRROR     the Debian mirror (default: the one apt uses for bookworm here)
#   MAILFERRY_DEBIAN_SECURITY_MIRROR  the security mirror (default: the one apt uses here;
#                               none when apt has none)
set -euo pipefail

image=docker.io/library/debian:12-slim
suite=bookworm
engine=${MAILFERRY_CONTAINER_ENGINE:-podman}
cache=${MAILFERRY_CONTAINER_CACHE:-/var/cache/mailferry-container}

say() { echo "base-image: $*"; }
die() { echo "base-image: $*" >&2; exit 1; }

case $engine in
  podman | docker) ;;
  *) die "MAILFERRY_CONTAINER_ENGINE must be podman or docker, not '$engine'" ;;
esac
command -v "$engine" >/dev/null 2>&1 || die "'$engine' not found"

if "$engine" image inspect "$image" >/dev/null 2>&1; then
  say "$image exists already; nothing to do"
  exit 0
fi

arch=$(dpkg --print-architecture)
tarball=$cache/debian-$suite-minbase-$arch.tar

if [[ ! -s $tarball ]]; then
  [[ $(id -u) -eq 0 ]] || die "debootstrap needs root (the tarball $tarball is not there yet)"
  command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] ||
    die "debootstrap not found; apt-get install debootstrap"
  # The mirrors apt uses for bookworm (from the release files of the last
  # `apt-get update`, so both sources.list and deb822 .sources count).
  apt_repo() {  # LABEL CODENAME -> the repository's URI, without the trailing slash
    # shellcheck disable=SC2016  # apt's own placeholders, not the shell's
    apt-get indextargets --format '$(LABEL) $(CODENAME) $(REPO_URI)' 2>/dev/null |
      awk -v l="$1" -v c="$2" '$1 == l && $2 == c { sub(/\/$/, "", $3); print $3; exit }'
  }
  mirror=${MAILFERRY_DEBIAN_MIRROR:-$(apt_repo Debian "$suite")}
  security=${MAILFERRY_DEBIAN_SECURITY_MIRROR-$(apt_repo Debian-Security "$suite-security")}
  [[ -n $mirror ]] || die "no Debian $suite mirror found in apt's sources (run apt-get update," \
    "or set MAILFERRY_DEBIAN_MIRROR)"
  # apt's proxy, if the host's apt configuration names one.
  proxy=
  eval "$(apt-config shell proxy Acquire::http::Proxy)"

  mkdir -p "$cache"
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf -- "$rootfs" "$tarball.part"' EXIT
  say "debootstrap --variant=minbase $suite from $mirror${proxy:+ (through the proxy $proxy)} into $rootfs"
  http_proxy=${proxy:-${http_proxy-}} PATH="$PATH:/usr/sbin:/sbin" \
    debootstrap --variant=minbase --arch="$arch" "$suite" "$rootfs" "$mirror" \
    >"$cache/debootstrap.log" 2>&1 || {
    tail -n 30 "$cache/debootstrap.log" >&2
    die "debootstrap failed (whole log: $cache/debootstrap.log)"
  }

  say "writing the apt sources ($mirror${security:+, $security}) and the slim image's dpkg and apt settings"
  rm -f "$rootfs/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$mirror" "$suite" "$suite"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    if [[ -n $security ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$suite"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
  } >"$rootfs/etc/apt/sources.list.d/debian.sources"
  # What the official slim image sets: packages installed later leave out
  # documentation, man pages and translations; apt keeps no .debs, no binary
  # caches and no translated descriptions.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
  # The same trimming for what debootstrap installed, and no leftovers of the
  # bootstrap: package lists, downloaded .debs, the host's resolver and name,
  # device nodes (the container engine provides /dev, /etc/resolv.conf and
  # /etc/hostname).
  find "$rootfs/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{groff,info,linda,lintian/overrides,locale,man}/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log \
    "${rootfs:?}"/dev/* "$rootfs"/run/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"

  say "packing the root file system into $tarball"
  tar --numeric-owner --xattrs --acls -C "$rootfs" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  rm -rf -- "$rootfs"
  trap - EXIT
else
  say "using the cached root file system $tarball"
fi

say "importing $tarball as $image"
"$engine" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  "$tarball" "$image" >"$cache/import.log" 2>&1 || {
  cat "$cache/import.log" >&2
  die "$engine import failed"
}
say "$image: $("$engine" image inspect --format '{{.Id}} {{.Size}}' "$image") (id, bytes)"
