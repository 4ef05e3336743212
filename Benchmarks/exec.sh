#!/usr/bin/env bash
# What `archway exec` costs per call over raw qemu, the way a test runner calls it: CALLS calls of a
# small arm64 program each way, in ROUNDS alternating rounds (this machine drifts ±10%), with the
# per-call time of each, the ratio per round and its spread. The target the issue sets: within 5%.
#
#   Benchmarks/exec.sh [CALLS] [ROUNDS]     (default: 200 calls, 5 rounds; release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
calls=${1:-200}
rounds=${2:-5}
(cd "$root" && swift build -c release --product archway >/dev/null)
archway=$(cd "$root" && swift build -c release --show-bin-path)/archway
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
aarch64-linux-gnu-gcc -O2 -o "$work/hello" "$root/Examples/hello/hello.c" -lm

per_call() {  # microseconds per call of "$@"
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$calls"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo $(((end - start) / 1000 / calls))
}

echo "exec: $calls calls of hello (arm64) per way, $rounds rounds"
ratios=()
for round in $(seq "$rounds"); do
  raw=$(per_call qemu-aarch64-static -L /usr/aarch64-linux-gnu "$work/hello" x)
  ours=$(per_call "$archway" exec --target linux/arm64 -- "$work/hello" x)
  ratio=$(python3 -c "print(f'{$ours / $raw:.3f}')")
  ratios+=("$ratio")
  echo "round $round: qemu -L ${raw} µs, archway exec ${ours} µs, ratio $ratio"
done
python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = [float(x) for x in sys.argv[1:]]
print(f"ratio median {statistics.median(r):.3f}, spread {min(r):.3f}–{max(r):.3f} (target: at most 1.05)")
PY
