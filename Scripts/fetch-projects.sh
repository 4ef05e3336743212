#!/usr/bin/env bash
# Fetches the real projects nobody here wrote that the `archway init` tests run on seven targets,
# from Debian's archive (bookworm): a CMake library (cjson), an autotools library (libyaml, whose
# tarball has no configure: autoreconf runs), and a Go library with a cgo package (go-sysconf);
# and from PyPI, MarkupSafe's wheels (a small C extension) for five platform tags, which the
# release tests verify by their names.
# Each lands in OUT/NAME as Debian ships it, patches applied; a project already there is kept.
#
#   Scripts/fetch-projects.sh [OUT]      (default: .build-projects)
#
# Needs a deb-src line for `apt-get source`: one for bookworm is added when none is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.build-projects}
mkdir -p "$out"
out=$(cd "$out" && pwd)
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "fetch-projects: adding Debian bookworm's deb-src to /etc/apt/sources.list.d/archway-src.sources"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
    sudo_if_needed tee /etc/apt/sources.list.d/archway-src.sources >/dev/null
  sudo_if_needed apt-get update -qq || echo "fetch-projects: apt-get update reported errors; going on"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A source package, unpacked with Debian's patches applied.
source_package() {
  local name=$1
  [ -d "$out/$name" ] && return
  (cd "$work" && apt-get source -qq --download-only "$name" >/dev/null 2>&1 && dpkg-source -x --no-check ./"$name"_*.dsc "$name" >/dev/null)
  mv "$work/$name" "$out/$name"
  local dsc
  dsc=$(basename "$(echo "$work/$name"_*.dsc)")
  dsc=${dsc%.dsc}
  echo "fetch-projects: $name ${dsc#"${name}_"}"
}
source_package cjson
source_package libyaml

# go-sysconf as its Debian -dev package installs it, with the two modules it needs (Debian's
# golang.org/x/sys and numcpus) beside it under third_party/ and named by `replace`, so that it builds
# without the network; its cgotest package compares it with the C library's sysconf() by cgo.
if [ ! -d "$out/go-sysconf" ]; then
  (cd "$work" && apt-get download -qq golang-github-tklauser-go-sysconf-dev golang-github-tklauser-numcpus-dev \
    golang-golang-x-sys-dev >/dev/null 2>&1)
  for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/deb"; done
  gocode=$work/deb/usr/share/gocode/src
  cp -r "$gocode/github.com/tklauser/go-sysconf" "$work/go-sysconf"
  mkdir -p "$work/go-sysconf/third_party"
  cp -r "$gocode/golang.org/x/sys" "$work/go-sysconf/third_party/sys"
  cp -r "$gocode/github.com/tklauser/numcpus" "$work/go-sysconf/third_party/numcpus"
  printf '\nreplace (\n\tgithub.com/tklauser/numcpus => ./third_party/numcpus\n\tgolang.org/x/sys => ./third_party/sys\n)\n' \
    >>"$work/go-sysconf/go.mod"
  mv "$work/go-sysconf" "$out/go-sysconf"
  echo "fetch-projects: go-sysconf $(dpkg-deb -f "$work"/golang-github-tklauser-go-sysconf-dev_*.deb Version)"
fi

# MarkupSafe 3.0.2's CPython 3.12 wheels as PyPI serves them: manylinux2014 x86_64 and aarch64,
# musllinux 1.2, macOS 11 arm64, Windows amd64.
wheels=$out/wheels/markupsafe
if [ ! -d "$wheels" ]; then
  mkdir -p "$work/wheels"
  for tag in manylinux2014_x86_64 manylinux2014_aarch64 musllinux_1_2_x86_64 macosx_11_0_arm64 win_amd64; do
    python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --python-version 3.12 \
      --platform "$tag" markupsafe==3.0.2 -d "$work/wheels"
  done
  mkdir -p "$out/wheels" && mv "$work/wheels" "$wheels"
  echo "fetch-projects: MarkupSafe 3.0.2 wheels ($(find "$wheels" -name '*.whl' | wc -l))"
fi
