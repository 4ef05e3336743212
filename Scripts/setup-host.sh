#!/usr/bin/env bash
# Installs what Archway's demo and tests need on a Debian/Ubuntu host. Idempotent: what is present
# is left alone, so a second run takes seconds. What the shipped matrices need (qemu, sysroots, the
# cross gccs, Go, zig, musl, debootstrap, bubblewrap, wine, binfmt_misc) comes from `archway setup`,
# so it is built first; the test suite's own tools (oracles, podman, the mips64el fixtures) follow.
#
#   Scripts/setup-host.sh            everything the test suite needs (a debug build of archway)
#   Scripts/setup-host.sh --demo     only what the demo's matrix needs (a release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

want_demo_only=false
[ "${1:-}" = "--demo" ] && want_demo_only=true

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages named that are not installed yet.
apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "setup-host: installing ${missing[*]}"
  # One index may fail while a mirror syncs; only a package that will not install stops us.
  sudo_if_needed apt-get update -qq || echo "setup-host: apt-get update reported errors; going on"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Archway's own build links the system's decoders (Sources/ArchwayCodecs): their headers come first.
apt_install_missing zlib1g-dev liblzma-dev libzstd-dev libbz2-dev

configuration=debug
$want_demo_only && configuration=release
echo "setup-host: building archway ($configuration) for archway setup"
swift build -c "$configuration" --product archway -q
archway=$(swift build -c "$configuration" --show-bin-path)/archway
if $want_demo_only; then
  sudo_if_needed "$archway" setup Matrix/archway.yml
  exit 0
fi
sudo_if_needed "$archway" setup Matrix/*.yml

# The test suite's own needs, beyond the matrices'.
apt_packages=(
  gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross binutils file faketime
  binutils-multiarch libxml2-utils podman runc uidmap shellcheck cmake meson ninja-build osslsigncode
  autoconf automake libtool dpkg-dev openssh-client openssh-server
  zip zstd bzip2 xz-utils rpm cpio
)
pip_packages=(pyelftools junitparser junit2html macholib lief pefile jsonschema pyyaml markdown)

# cargo for the Cargo runner test: rustup's when the machine has one, else Debian's.
if ! command -v cargo >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  apt_packages+=(cargo)
fi
apt_install_missing "${apt_packages[@]}"

py_missing=()
for p in "${pip_packages[@]}"; do
  python3 -m pip show -q "$p" >/dev/null 2>&1 || py_missing+=("$p")
done
if [ ${#py_missing[@]} -gt 0 ]; then
  echo "setup-host: pip installing ${py_missing[*]}"
  python3 -m pip install -q --disable-pip-version-check "${py_missing[@]}"
fi
echo "setup-host: ready"
