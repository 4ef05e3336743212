#!/usr/bin/env bash
# Builds the runner image for self-hosted CI (Containers/archway/Containerfile) and tests it: the
# image's own matrix (a C and a Go program for the seven linux arches, each run under qemu) and the
# demo (Matrix/archway.yml) run inside it, with only what the image holds.
#
#   Scripts/build-image.sh [--no-test] [--out DIR] [TAG]     (default TAG: archway/runner:latest)
#
# --out DIR keeps the two runs' folders (DIR/image, DIR/demo: reports and cells); by default they are
# removed.
#
# Needs podman (ENGINE=docker for docker) and debootstrap: the base is Archway's own debian-12
# environment image, so no registry is needed. $ARCHWAY_ENGINE_ARGS are given to the engine's build
# and run (this host's podman needs `--runtime runc --ulimit nofile=1024:1024 …`; see
# docs/environments.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
test_image=true
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-test) test_image=false; shift ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-image.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
tag=${1:-archway/runner:latest}
engine=${ENGINE:-podman}
read -r -a engine_args <<<"${ARCHWAY_ENGINE_ARGS:-}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
context=$work/context
"$root/Scripts/install.sh" --prefix "$context" >/dev/null
cp "$root/Containers/archway/image.yml" "$context/"
# The host's local certificate authorities go into the image: behind a TLS-inspecting proxy, pip
# (zig comes from PyPI) trusts nothing else.
mkdir -p "$context/ca-certificates"
find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -type f -exec cp {} "$context/ca-certificates/" \; 2>/dev/null || true
archway=$context/bin/archway
arch=$(dpkg --print-architecture)

echo "build-image: the base, archway/debian-12:$arch"
"$archway" env build debian-12 --arch "$arch" --engine "$engine" "${engine_args[@]/#/--engine-arg=}"

echo "build-image: $tag"
"$engine" build "${engine_args[@]}" --build-arg "BASE=archway/debian-12:$arch" \
  -f "$root/Containers/archway/Containerfile" -t "$tag" "$context"
$test_image || exit 0

# zig opens more than 1024 files at once while it builds a libc (EMFILE, "ProcessFdQuotaExceeded"):
# the containers get the host's hard limit on open files, whatever $ARCHWAY_ENGINE_ARGS says.
nofile=$(ulimit -Hn)
[ "$nofile" != unlimited ] || nofile=1048576
run() { "$engine" run --rm "${engine_args[@]}" --ulimit "nofile=$nofile:$nofile" "$@"; }
out=${out:-$work/out}
mkdir -p "$out/image" "$out/demo"
out=$(cd "$out" && pwd)
echo "build-image: testing $tag with its own matrix"
run -v "$out/image:/out" "$tag" archway run /usr/local/share/archway/image.yml --out /out --no-provision
echo "build-image: the demo inside $tag"
# The demo's env-free cells: the project read-only, the cells written to /out.
run -v "$root:/src:ro" -v "$out/demo:/out" "$tag" archway run Matrix/archway.yml --out /out
echo "build-image: $tag passed"
