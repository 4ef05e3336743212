#!/usr/bin/env bash
# Archway's main job on the bundled demo: build Examples/hello for every target (cross gcc, musl,
# zig against glibc 2.17, Go for linux/darwin/windows), show what each binary really is, then gate
# the release as a maintainer would.
#
#   Scripts/demo.sh [OUT]     (default: archway-out/demo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-archway-out/demo}
Scripts/setup-host.sh --demo
swift build -c release --product archway >/dev/null
archway=$(swift build -c release --show-bin-path)/archway
Scripts/build-fixtures.sh "$out" >/dev/null
rm -f "$out/manifest.tsv"

printf '\n== What was built (archway inspect %s)\n' "$out"
"$archway" inspect "$out"

gate() {
  printf '\n$ archway verify %s\n' "$*"
  "$archway" verify "$@" && echo "-> passes" || echo "-> fails (exit $?)"
}
printf '\n== The release gate: every linux/arm64 build must run on Debian 11 (glibc 2.31)\n'
gate "$out/c-gcc-linux-arm64" --target linux/arm64 --libc gnu-2.31
gate "$out/c-zig-arm64-gnu2.17" --target linux/arm64 --libc gnu-2.31
gate "$out/go-linux-arm64" --target linux/arm64 --libc static
printf '\n== Wrong architecture, wrong float ABI, wrong libc, unexpected libraries\n'
gate "$out/c-gcc-linux-arm64" --target linux/amd64
gate "$out/c-gcc-linux-arm-v5" --target linux/arm/v7
gate "$out/c-musl-dynamic-amd64" --target linux/amd64 --libc gnu
gate "$out/cxx-gxx-amd64" --target linux/amd64 --allow-needed 'libc.so.6,libm.so.6'
gate "$out/go-windows-arm64.exe" --target windows/arm64 --allow-needed 'kernel32.dll'
printf '\nThe gcc build needs GLIBC_2.34 and fails the Debian 11 gate; the zig build (glibc 2.17) passes.\n'
