#!/usr/bin/env bash
# Archway's main job on the bundled demo, Matrix/archway.yml: Examples/hello built for every
# target with the Debian cross gccs, zig (glibc 2.17, static musl, macOS 13) and Go (windows); each
# build run on its target under qemu-user (windows under wine; darwin is built and checked only),
# verified, and its output compared with the native build's; the reports land in archway-out/. Then
# what was built is inspected and gated as a release would be.
#
#   Scripts/demo.sh          (output in archway-out/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
Scripts/setup-host.sh --demo
swift build -c release --product archway >/dev/null
archway=$(swift build -c release --show-bin-path)/archway
out="archway-out"

printf '\n== The plan (archway plan)\n'
"$archway" plan

printf '\n== Build every cell, run it on its target, verify, report (archway run)\n'
status=0
"$archway" run --out "$out" || status=$?

printf '\n== The Markdown summary (%s/summary.md; also junit.xml, report.html, report.json, SHA256SUMS)\n' "$out"
cat "$out/summary.md"

printf '\n== What was built (archway inspect)\n'
"$archway" inspect "$out"/*/hello

gate() {
  printf '\n$ archway verify %s\n' "$*"
  "$archway" verify "$@" && echo "-> passes" || echo "-> fails (exit $?)"
}
printf '\n== The release gate: the linux/arm64 builds must run on Debian 11 (glibc 2.31)\n'
gate "$out/linux-arm64-gnu-cc=gcc/hello" --target linux/arm64 --libc gnu-2.31
gate "$out/linux-arm64-gnu-2.17-cc=zig/hello" --target linux/arm64 --libc gnu-2.31
printf '\n== Wrong architecture, libc and libraries are named\n'
gate "$out/linux-arm64-gnu-cc=gcc/hello" --target linux/amd64
gate "$out/linux-arm64-gnu-cc=gcc/hello" --target linux/arm64 --libc static
gate "$out/windows-amd64-system-cc=go/hello" --target windows/amd64 --allow-needed 'kernel32.dll'
gate "$out/darwin-arm64-system-cc=zig/hello" --target darwin/amd64
printf '\nThe bookworm gcc build needs GLIBC_2.34 and fails the Debian 11 gate; the zig build (2.17) passes.\n'
exit $status
