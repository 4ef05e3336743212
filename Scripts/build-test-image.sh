#!/usr/bin/env bash
# Builds the container image the container-runner tests use, once per machine: a debootstrapped
# Debian 11 (glibc 2.31) minbase rootfs for arm64, imported into podman as
# archway/test-debian-11:arm64. About 2 minutes the first time; seconds when the image exists.
# (`archway env build`, issue 6, will build environments from recipes; this is only the tests'.)
#
#   Scripts/build-test-image.sh
set -euo pipefail
image=archway/test-debian-11:arm64
if podman image exists "$image"; then
  echo "build-test-image: $image exists"
  exit 0
fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/archway/test-rootfs
rootfs=$cache/bullseye-arm64
if [ ! -e "$rootfs/.complete" ]; then
  rm -rf "$rootfs.tmp"
  mkdir -p "$cache"
  debootstrap --variant=minbase --arch=arm64 bullseye "$rootfs.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"
  mv "$rootfs.tmp" "$rootfs"
  touch "$rootfs/.complete"
fi
tar -C "$rootfs" --exclude=./.complete -c . | podman import --arch arm64 - "$image" >/dev/null
echo "build-test-image: $image imported"
