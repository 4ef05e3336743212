#!/usr/bin/env bash
# The whole test suite, as CI runs it: host packages, real fixture binaries, lint, the fuzzers, swift test
# (last, so its summary closes the output).
#
#   Scripts/test.sh                  everything (fuzzing each reader and the matrix parser for at least
#                                    FUZZ_AT_LEAST seconds, default 20, and on, up to FUZZ_SECONDS, default 60,
#                                    until the environments and the tests' build are done)
#   FUZZ_SECONDS=0 Scripts/test.sh   without fuzzing
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n== %s\n' "$*"; }

step "host packages"
Scripts/setup-host.sh
# This host's podman needs these (crun fails on its hybrid cgroups; see docs/environments.md); the tests' runs of Matrix/glibc-floor.yml
# take them from here, as a self-hosted runner would, and so do the environments' builds.
export ARCHWAY_ENGINE_ARGS=${ARCHWAY_ENGINE_ARGS:-"--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"}
step "environments the suites share, then the tests' build: in the background (Scripts/build-environments.sh, swift build --build-tests)"
# Resolved first: fuzz.sh reads the checkouts, and a resolve of its own would wait for the lock the
# background build holds.
swift package resolve
environments_log=$(mktemp)
# Made when the background builds end: the fuzzers stop then (FUZZ_UNTIL, below).
environments_done=$(mktemp -u)
# Its own process group, so that a step failing before the wait below ends it with all it started.
# The tests' build follows the environments', so it runs while the fuzzers (nice) fill the time
# with what the cores leave, rather than after them: `swift test` then builds nothing.
# A build that fails here fails again, in full, in `swift test`.
setsid bash -c 'Scripts/build-environments.sh; built=$?; swift build --build-tests; touch "$1"; exit "$built"' \
  _ "$environments_done" >"$environments_log" 2>&1 &
environments=$!
trap 'kill -- -"$environments" 2>/dev/null || true; rm -f "$environments_log" "$environments_done"' EXIT
step "fixtures: real binaries from every cross toolchain"
Scripts/build-fixtures.sh
step "real projects from Debian's archive, for the archway init tests"
Scripts/fetch-projects.sh
step "install: Scripts/install.sh --prefix (the release binary, Swift linked in, that the install tests run)"
Scripts/install.sh --prefix "$root/.build-install/prefix"
export ARCHWAY_INSTALLED_PREFIX=$root/.build-install/prefix  # Tests/Support/Fixtures.swift: installPrefix
step "format"
swift format lint --strict --recursive Package.swift Sources Tests
fuzz_seconds=${FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then
  step "fuzzing every reader and the matrix parser: ${FUZZ_AT_LEAST:-20}-${fuzz_seconds}s each, while the background builds run"
  # Nice, so it yields the cores to the environments' and the tests' builds; each target fuzzes at
  # least FUZZ_AT_LEAST seconds, then on until those are done or FUZZ_SECONDS have passed.
  FUZZ_UNTIL=$environments_done nice -n 10 Scripts/fuzz.sh "$fuzz_seconds"
fi
step "environments and the tests' build: waiting for them"
wait "$environments" || true
trap - EXIT
cat "$environments_log"
rm -f "$environments_log" "$environments_done"
step "swift test"
# Swift Testing only (no XCTest here); the per-test "started" lines are left out (not the ↳ lines
# under a failure, which hold its expectation's comment).
log=$(mktemp)
status=0
swift test --disable-xctest 2>&1 | tee "$log" | { grep -vE '^◇' || true; } || status=$?
# Suites run side by side, so their times overlap; the list shows where growth goes.
step "the ten slowest suites"
grep -aE '^[^ ]+ Suite [A-Za-z0-9_]+ (passed|failed) after [0-9.]+ seconds' "$log" |
  sed -E 's/^[^ ]+ Suite ([A-Za-z0-9_]+) [a-z]+ after ([0-9.]+) seconds.*/\2 \1/' | sort -rn | head -10 |
  awk '{ printf "%8.1f s  %s\n", $1, $2 }' || true
rm -f "$log"
exit "$status"
