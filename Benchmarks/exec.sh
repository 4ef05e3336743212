#!/usr/bin/env bash
# What `archway exec` costs per call over raw qemu, the way a test runner calls it: CALLS calls of a
# small arm64 program each way (raw `qemu -L`, `archway exec`, and what `archway exec --shim`
# writes), interleaved call by call in ROUNDS rounds (this machine drifts ±10%), with the per-call
# time of each, the ratios per round and their spread. The target the issue sets: within 5%.
#
#   Benchmarks/exec.sh [CALLS] [ROUNDS]     (default: 200 calls, 5 rounds; the installed binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
calls=${1:-200}
rounds=${2:-5}
# The binary users install (Scripts/install.sh: the Swift runtime linked in; it starts 10 ms sooner).
"$root/Scripts/install.sh" --prefix "$root/.build-install/bench" >/dev/null
archway=$root/.build-install/bench/bin/archway
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
aarch64-linux-gnu-gcc -O2 -o "$work/hello" "$root/Examples/hello/hello.c" -lm
"$archway" exec --target linux/arm64 --shim "$work/shim" >/dev/null


# One round: CALLS calls of each way, interleaved call by call (raw, exec, shim, raw, …) so the
# machine's drift reaches the three alike; prints the three per-call means in microseconds.
round() {
  local raw=0 ours=0 shim=0 start
  for _ in $(seq "$calls"); do
    start=${EPOCHREALTIME/./}
    qemu-aarch64-static -L /usr/aarch64-linux-gnu "$work/hello" x >/dev/null
    raw=$((raw + ${EPOCHREALTIME/./} - start))
    start=${EPOCHREALTIME/./}
    "$archway" exec --target linux/arm64 -- "$work/hello" x >/dev/null
    ours=$((ours + ${EPOCHREALTIME/./} - start))
    start=${EPOCHREALTIME/./}
    "$work/shim" "$work/hello" x >/dev/null
    shim=$((shim + ${EPOCHREALTIME/./} - start))
  done
  echo $((raw / calls)) $((ours / calls)) $((shim / calls))
}

echo "exec: $calls calls of hello (arm64) per way and round, interleaved, $rounds rounds"
exec_ratios=()
shim_ratios=()
for number in $(seq "$rounds"); do
  read -r raw ours shim < <(round)
  exec_ratios+=("$(python3 -c "print(f'{$ours / $raw:.3f}')")")
  shim_ratios+=("$(python3 -c "print(f'{$shim / $raw:.3f}')")")
  echo "round $number: qemu -L ${raw} µs, archway exec ${ours} µs (${exec_ratios[-1]}), shim ${shim} µs (${shim_ratios[-1]})"
done
python3 - "${exec_ratios[*]}" "${shim_ratios[*]}" <<'PY'
import statistics, sys
for name, text in zip(["archway exec", "--shim"], sys.argv[1:]):
    r = [float(x) for x in text.split()]
    print(f"{name}: ratio median {statistics.median(r):.3f}, spread {min(r):.3f}–{max(r):.3f} (target: at most 1.05)")
PY
