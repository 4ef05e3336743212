#!/usr/bin/env bash
# Installs what Archway's demo and tests need on a Debian/Ubuntu host. Idempotent:
# packages already present are left alone, so a second run takes seconds.
#
#   Scripts/setup-host.sh            everything the test suite needs
#   Scripts/setup-host.sh --demo     only what the demo needs
set -euo pipefail

want_demo_only=false
[ "${1:-}" = "--demo" ] && want_demo_only=true

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=(
  gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-arm-linux-gnueabi
  gcc-riscv64-linux-gnu gcc-powerpc64le-linux-gnu gcc-s390x-linux-gnu
  gcc-i686-linux-gnu gcc-mips64el-linux-gnuabi64
  libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-armel-cross libc6-dev-riscv64-cross
  libc6-dev-ppc64el-cross libc6-dev-s390x-cross libc6-dev-i386-cross libc6-dev-mips64el-cross
  g++
  libc6-i386 musl-tools golang-go binutils file qemu-user-static faketime
)
pip_packages=(ziglang)
if ! $want_demo_only; then
  apt_packages+=(binutils-multiarch libxml2-utils podman runc uidmap debootstrap binfmt-support bubblewrap wine wine64
    shellcheck cmake meson ninja-build)
  pip_packages+=(pyelftools junitparser junit2html macholib pefile jsonschema pyyaml markdown)
fi

# binfmt_misc lets a foreign-arch container or chroot run through qemu; mount it before qemu-user-static
# registers (root only; without it only the container and rootfs runners lose foreign arches).
binfmt=/proc/sys/fs/binfmt_misc
if [ "$(id -u)" -eq 0 ] && [ ! -e "$binfmt/status" ]; then
  mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || echo "setup-host: cannot mount $binfmt; going on"
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# cargo for the Cargo runner test: rustup's when the machine has one, else Debian's.
if ! $want_demo_only && ! command -v cargo >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  dpkg-query -W -f='${Status}' cargo 2>/dev/null | grep -q "install ok installed" || missing+=(cargo)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  # One index may fail while a mirror syncs; only a package that will not install stops us.
  sudo_if_needed apt-get update -qq || echo "setup-host: apt-get update reported errors; going on"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -e "$binfmt/status" ] && [ ! -e "$binfmt/qemu-aarch64" ] && command -v update-binfmts >/dev/null; then
  sudo_if_needed update-binfmts --enable >/dev/null 2>&1 || echo "setup-host: update-binfmts --enable failed; going on"
fi

py_missing=()
for p in "${pip_packages[@]}"; do
  python3 -m pip show -q "$p" >/dev/null 2>&1 || py_missing+=("$p")
done
if [ ${#py_missing[@]} -gt 0 ]; then
  echo "setup-host: pip installing ${py_missing[*]}"
  python3 -m pip install -q --disable-pip-version-check "${py_missing[@]}"
fi
echo "setup-host: ready"
