#!/usr/bin/env bash
# The whole test suite, as CI runs it: host packages, real fixture binaries, lint, the fuzzers, swift test
# (last, so its summary closes the output).
#
#   Scripts/test.sh                  everything (fuzzing each reader and the matrix parser for FUZZ_SECONDS, default 60)
#   FUZZ_SECONDS=0 Scripts/test.sh   without fuzzing
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n== %s\n' "$*"; }

step "host packages"
Scripts/setup-host.sh
step "fixtures: real binaries from every cross toolchain"
Scripts/build-fixtures.sh
step "install: Scripts/install.sh --prefix (the release binary, Swift linked in, that the install tests run)"
Scripts/install.sh --prefix "$root/.build-install/prefix"
step "format"
swift format lint --strict --recursive Package.swift Sources Tests
fuzz_seconds=${FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then
  step "fuzzing every reader and the matrix parser for ${fuzz_seconds}s each"
  Scripts/fuzz.sh "$fuzz_seconds"
fi
step "swift test"
# This host's podman needs these (crun fails on its hybrid cgroups; see docs/environments.md); the tests' runs of Matrix/glibc-floor.yml
# take them from here, as a self-hosted runner would.
export ARCHWAY_ENGINE_ARGS=${ARCHWAY_ENGINE_ARGS:-"--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"}
# Swift Testing only (no XCTest here); the per-test "started" lines are left out (not the ↳ lines
# under a failure, which hold its expectation's comment).
swift test --disable-xctest 2>&1 | { grep -vE '^◇' || true; }
