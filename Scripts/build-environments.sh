#!/usr/bin/env bash
# Builds, once, the environments the test suite runs in (root filesystems, their images, and the
# runner image), two at a time, into the cache every test uses ($XDG_CACHE_HOME/archway/environments
# and the engine's images), so that the suites, which start together, find them built instead of
# each waiting on the same debootstrap. Scripts/test.sh runs it in the background while fixtures are
# built and the fuzzers run. A test still builds what is missing, so a failure here is only a warning
# (its log is printed), and what a test checks is unchanged.
#
#   Scripts/build-environments.sh [ARCHWAY]     (default: the debug build's archway)
#
# $ARCHWAY_ENGINE_ARGS are given to the engine, as the tests give them; ENVIRONMENT_JOBS (default:
# the number of cores) builds run at once. The list is what the suites ask for (EnvCLITests,
# ContainerRunnerTests, BuildInsideCLITests, TestSuiteCLITests, LoadPredictionCLITests, RunCLITests,
# IsolationTests, ImageCLITests); keep it in step with them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
archway=${1:-$root/.build/debug/archway}
read -r -a engine_args <<<"${ARCHWAY_ENGINE_ARGS:-}"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# NAME ARCH [--engine] [--containers DIR]: natively built first (seconds), then the foreign ones
# (their second stage runs under qemu), the most used first.
environments=(
  "debian-12 amd64 --engine"
  "debian-11 amd64 --engine"
  "debian-13 amd64 --engine"
  "debian-12-musl amd64"
  "debian-11-gcc amd64 --engine"
  "debian-12-cmake amd64 --containers Examples/cmake/Containers"
  "debian-11 arm64 --engine"
  "debian-12 arm64 --engine"
  "debian-13 arm64 --engine"
  "debian-11-gcc arm64"
  "debian-12-gcc arm64"
  "debian-12-cmake arm64 --containers Examples/cmake/Containers"
  "image archway/runner:test"
)

# One entry; its output goes to a log named after it, printed only when it fails.
build() {
  local words log
  read -r -a words <<<"$1"
  log=$logs/$(echo "$1" | tr -c 'A-Za-z0-9.\n-' '_').log
  if [ "${words[0]}" = image ]; then
    # ImageCLITests builds this tag with the same script: the engine's layer cache makes that quick.
    Scripts/build-image.sh --no-test "${words[1]}" >"$log" 2>&1 && return 0
  else
    local arguments=(env build "${words[0]}" --arch "${words[1]}") rest=("${words[@]:2}")
    while [ ${#rest[@]} -gt 0 ]; do
      case ${rest[0]} in
        --engine) arguments+=(--engine "${ENGINE:-podman}" "${engine_args[@]/#/--engine-arg=}"); rest=("${rest[@]:1}") ;;
        --containers) arguments+=(--containers "${rest[1]}"); rest=("${rest[@]:2}") ;;
        *) echo "build-environments: '${rest[0]}' in '$1' is not --engine or --containers" >&2; return 1 ;;
      esac
    done
    "$archway" "${arguments[@]}" >"$log" 2>&1 && return 0
  fi
  echo "build-environments: '$1' failed; the tests will build it themselves. Its log:" >&2
  tail -20 "$log" >&2
  return 1
}

start=$(date +%s)
parallel=${ENVIRONMENT_JOBS:-$(nproc)}
failed=0
running=0
for entry in "${environments[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || failed=$((failed + 1))
    running=$((running - 1))
  fi
  build "$entry" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=$((failed + 1))
  running=$((running - 1))
done
echo "build-environments: ${#environments[@]} built or found in $(($(date +%s) - start)) s; $failed failed"
