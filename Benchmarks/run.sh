#!/usr/bin/env bash
# The executor against the plain way of doing the same work, in one run:
#  1. Emulated runs: K runs of hello for linux/arm64 as run steps of one cell through Archway's qemu
#     runner, against the same K raw `qemu-aarch64-static -L SYSROOT` invocations from a shell loop.
#  2. Scheduling: N cells whose run step sleeps S seconds, at --jobs J, against the ideal
#     (N*S/J) and a sequential shell loop; Archway's overhead per cell.
#  3. Containers (when podman and the image archway/debian-11:arm64 are there: archway env build
#     debian-11 --arch arm64 --engine podman): K/4 steps in one cell through Archway's container
#     runner against as many `podman run --rm`s, and against as many `podman exec`s in one container.
#
#   Benchmarks/run.sh [K] [N] [S] [R]    (default: 200 runs, 40 cells, 0.25 s, 5 rounds of 1.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-200} cells=${2:-40} sleep_s=${3:-0.25} rounds=${4:-5}
jobs=$(nproc)
(cd "$root" && swift build -c release --product archway >/dev/null)
archway=$(cd "$root" && swift build -c release --show-bin-path)/archway
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
ratio() { python3 -c "print(f'{$1 / max($2, 1):.3f}')"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

aarch64-linux-gnu-gcc -O2 -o "$work/hello" "$root/Examples/hello/hello.c"
qemu=$(command -v qemu-aarch64-static)
sysroot=/usr/aarch64-linux-gnu

# 1. Emulated runs.
{
  echo "matrix:"
  echo "  platform: [linux/arm64]"
  echo "build:"
  echo "  argv: [cp, \"$work/hello\", \"\${cell.out}/hello\"]"
  echo "  artifacts: {hello: \"\${cell.out}/hello\"}"
  echo "run:"
  for i in $(seq "$runs"); do echo "  - {name: r$i, argv: [\"\${artifact:hello}\", \"x\"]}"; done
} >"$work/emulated.yml"
"$archway" run "$work/emulated.yml" --out "$work/warm" >/dev/null 2>&1 || true
# This machine's speed drifts by ±10 % from one minute to the next: the two ways alternate, R rounds,
# the raw loop twice per round (before and after Archway's run), and each round's ratio is Archway's
# time over the mean of its two raw loops; the two raw loops' ratio is the noise floor.
raw_loop() {
  local start
  start=$(now)
  for _ in $(seq "$runs"); do "$qemu" -L "$sysroot" "$work/hello" x >/dev/null; done
  ms "$start" "$(now)"
}
archway_all=() raw_all=() ratios=() noise=()
for _ in $(seq "$rounds"); do
  before=$(raw_loop)
  start=$(now)
  "$archway" run "$work/emulated.yml" --out "$work/emulated" >/dev/null 2>&1
  archway_ms=$(ms "$start" "$(now)")
  after=$(raw_loop)
  archway_all+=("$archway_ms") raw_all+=("$before/$after")
  ratios+=("$(ratio "$archway_ms" "$(((before + after) / 2))")") noise+=("$(ratio "$after" "$before")")
done
echo "emulated runs: $runs × hello under qemu-aarch64, $rounds rounds"
printf '  %-44s %s ms\n' "archway run (one cell, $runs run steps)" "${archway_all[*]}" \
  "raw qemu -L loop (before/after)" "${raw_all[*]}"
echo "  archway / raw per round: ${ratios[*]}; median $(median "${ratios[@]}")   (aim: at most 1.05)"
echo "  raw after / raw before (noise): ${noise[*]}"

# 2. Scheduling.
{
  echo "matrix:"
  echo "  n: [$(seq -s, 1 "$cells")]"
  echo "run:"
  echo "  - {name: sleep, argv: [sleep, \"$sleep_s\"]}"
} >"$work/sched.yml"
start=$(now)
"$archway" run "$work/sched.yml" --jobs "$jobs" --out "$work/sched" >/dev/null 2>&1
sched_ms=$(ms "$start" "$(now)")
start=$(now)
for _ in $(seq "$cells"); do sleep "$sleep_s"; done
seq_ms=$(ms "$start" "$(now)")
ideal_ms=$(python3 -c "print(int($cells * $sleep_s * 1000 / $jobs))")
echo "scheduling: $cells cells of sleep $sleep_s at --jobs $jobs"
printf '  %-44s %7s ms\n' "archway run" "$sched_ms" "ideal (work / jobs)" "$ideal_ms" "sequential shell loop" "$seq_ms"
echo "  archway / ideal: $(ratio "$sched_ms" "$ideal_ms")   sequential / archway: $(ratio "$seq_ms" "$sched_ms")"
echo "  overhead per cell: $(python3 -c "print(f'{($sched_ms - $ideal_ms) * $jobs / $cells:.1f}')") ms"

# 3. Containers.
image=archway/debian-11:arm64
if command -v podman >/dev/null && podman image exists "$image"; then
  steps=$((runs / 4))
  flags=(--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
  {
    echo "matrix:"
    echo "  platform: [linux/arm64]"
    echo "  env: [debian-11]"
    echo "defaults:"
    echo "  runner: container"
    echo "  engine: podman"
    echo "  engine_args: [--runtime, runc, --ulimit, \"nofile=1024:1024\", --ulimit, \"nproc=1024:1024\"]"
    echo "run:"
    for i in $(seq "$steps"); do echo "  - {name: s$i, argv: [\"true\"]}"; done
  } >"$work/container.yml"
  start=$(now)
  "$archway" run "$work/container.yml" --out "$work/container" >/dev/null 2>&1
  session_ms=$(ms "$start" "$(now)")
  start=$(now)
  for _ in $(seq "$steps"); do podman run --rm "${flags[@]}" --platform linux/arm64 --network none "$image" true; done
  podman_ms=$(ms "$start" "$(now)")
  container=$(podman run -d --rm "${flags[@]}" --platform linux/arm64 --network none "$image" sleep infinity)
  start=$(now)
  for _ in $(seq "$steps"); do podman exec "$container" true; done
  exec_ms=$(ms "$start" "$(now)")
  podman rm -f -t 0 "$container" >/dev/null
  echo "containers: $steps steps of 'true' in an arm64 Debian 11 image"
  printf '  %-50s %7s ms\n' "archway run (one container, a step per request)" "$session_ms" \
    "podman run --rm per step" "$podman_ms" "podman exec per step (one container)" "$exec_ms"
  echo "  podman run / archway: $(ratio "$podman_ms" "$session_ms")   podman exec / archway: $(ratio "$exec_ms" "$session_ms")"
else
  echo "containers: skipped (no podman or no $image; archway env build debian-11 --arch arm64 --engine podman)"
fi
