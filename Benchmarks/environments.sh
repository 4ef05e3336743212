#!/usr/bin/env bash
# Environment provisioning, the slowest part of a cold run: `archway run` of a matrix whose cells
# need root filesystems (default Matrix/glibc-floor.yml: debian-11, -12 and -13 for amd64 and arm64),
# each way in an empty cache of its own ($XDG_CACHE_HOME), in one run:
#  1. cold, one environment at a time (--jobs 1);
#  2. cold, up to J at once (--jobs J, default nproc);
#  3. the environments removed but their package caches kept (`archway env prune NAME` for each, or a
#     changed recipe), --jobs J: debootstrap validates every .deb it has and downloads none;
#  4. warm: everything cached, --jobs J.
# Then, for one suite and arch, the two ways of keeping packages the issue names, side by side:
# debootstrap --cache-dir (what Archway does) and mmdebstrap with a shared apt archive, each cold and
# with its cache full (mmdebstrap only when installed: apt-get install mmdebstrap).
#
#   Benchmarks/environments.sh [MATRIX] [J]
#   SERIAL=0 TOOLS=0 Benchmarks/environments.sh    without stage 1, without the two tools' comparison
#
# The engine's images (archway/NAME:ARCH) are left alone: a cold run finds them and imports nothing
# (an import takes about 4 s here); its time is the root filesystems'.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
matrix=${1:-$root/Matrix/glibc-floor.yml}
jobs=${2:-$(nproc)}
# The binary users install (Scripts/install.sh: the Swift runtime linked in; it starts 10 ms sooner).
"$root/Scripts/install.sh" --prefix "$root/.build-install/bench" >/dev/null
archway=$root/.build-install/bench/bin/archway
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ARCHWAY_ENGINE_ARGS=${ARCHWAY_ENGINE_ARGS:-"--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"}

seconds() { python3 -c "print(f'{($2 - $1) / 1e9:.1f}')"; }
# run LABEL CACHE JOBS: archway run of the matrix with that cache; prints the wall time.
run() {
  local start end status=0
  start=$(date +%s%N)
  (cd "$root" && XDG_CACHE_HOME=$2 "$archway" run "$matrix" --jobs "$3" --out "$work/out-$1") \
    >"$work/$1.log" 2>&1 || status=$?
  end=$(date +%s%N)
  printf '  %-58s %7s s  (exit %s)\n' "$1" "$(seconds "$start" "$end")" "$status"
}

echo "environments: $(basename "$matrix"), --jobs $jobs"
if [ "${SERIAL:-1}" != 0 ]; then run "1. cold, one at a time (--jobs 1)" "$work/cache-1" 1; fi
run "2. cold, --jobs $jobs" "$work/cache-2" "$jobs"
for name in $(XDG_CACHE_HOME=$work/cache-2 "$archway" env list --json | python3 -c \
  'import json,sys; print(" ".join(sorted({e["name"] for e in json.load(sys.stdin)["cached"]})))'); do
  XDG_CACHE_HOME=$work/cache-2 "$archway" env prune "$name" >/dev/null
done
run "3. environments removed, packages kept, --jobs $jobs" "$work/cache-2" "$jobs"
run "4. warm, --jobs $jobs" "$work/cache-2" "$jobs"
echo "  package caches kept: $(du -sh "$work/cache-2/archway/environments/packages" | cut -f1)"

[ "${TOOLS:-1}" != 0 ] || exit 0
# debootstrap --cache-dir against mmdebstrap with a shared apt archive, bookworm amd64 minbase.
echo "one root filesystem (bookworm, amd64, minbase), cold and with its packages kept:"
time_it() { # LABEL COMMAND...
  local start end
  start=$(date +%s%N)
  "${@:2}" >"$work/tool.log" 2>&1
  end=$(date +%s%N)
  printf '  %-58s %7s s\n' "$1" "$(seconds "$start" "$end")"
}
mkdir -p "$work/debs"
for round in cold warm; do
  rm -rf "$work/rootfs"
  time_it "debootstrap --cache-dir, $round" \
    debootstrap --variant=minbase --arch=amd64 --cache-dir="$work/debs" bookworm "$work/rootfs" http://deb.debian.org/debian
done
if command -v mmdebstrap >/dev/null; then
  mkdir -p "$work/apt-archives"
  for round in cold warm; do
    rm -rf "$work/rootfs"
    # apt's archive copied in before and out after (mmdebstrap's sync-in and sync-out hooks), and
    # not emptied at the end. ($1 is mmdebstrap's, for the hook's shell.)
    # shellcheck disable=SC2016
    time_it "mmdebstrap with a kept apt archive, $round" \
      mmdebstrap --variant=minbase --arch=amd64 --skip=download/empty --skip=essential/unlink \
      --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
      --setup-hook="sync-in $work/apt-archives /var/cache/apt/archives/" \
      --customize-hook="sync-out /var/cache/apt/archives $work/apt-archives" \
      bookworm "$work/rootfs" http://deb.debian.org/debian
  done
else
  echo "  mmdebstrap: not installed (apt-get install mmdebstrap)"
fi
