#!/usr/bin/env bash
# SHA-256 over large artifacts, two ways in one run: Archway (swift-crypto, streamed in 1 MiB
# pieces; `archway inspect --json --sha256`, which `archway run` uses for every artifact) and
# coreutils `sha256sum`. Both read the same files from the page cache; one file at a time each
# (--jobs 1), then Archway with two. Prints the best of RUNS wall-clock times and the ratios.
#
#   Benchmarks/checksum.sh [MiB per file] [FILES] [RUNS]     (default: 256 MiB × 4, 5 runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-256}
files=${2:-4}
runs=${3:-5}
# The binary users install (Scripts/install.sh: the Swift runtime linked in; it starts 10 ms sooner).
"$root/Scripts/install.sh" --prefix "$root/.build-install/bench" >/dev/null
archway=$root/.build-install/bench/bin/archway
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for i in $(seq "$files"); do head -c "$((size * 1048576))" /dev/urandom >"$dir/artifact-$i"; done
cat "$dir"/artifact-* >/dev/null  # into the page cache
echo "checksum: $files files × $size MiB; best of $runs runs; $(grep -m1 -o 'sha_ni' /proc/cpuinfo || echo 'no sha_ni')"

best() {  # best wall time in ms of "$@" over $runs runs
  local best_ms=999999999 start end ms
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    ((ms < best_ms)) && best_ms=$ms
  done
  echo "$best_ms"
}

# Same answers first: a benchmark of wrong hashes would be worthless.
ours=$("$archway" inspect --json --sha256 --jobs 1 "$dir"/artifact-* |
  python3 -c 'import json,sys; [print(f["sha256"]+"  "+f["path"]) for f in json.load(sys.stdin)]')
theirs=$(sha256sum "$dir"/artifact-*)
[ "$ours" = "$theirs" ] || { echo "checksum: archway and sha256sum disagree" >&2; exit 1; }

archway_ms=$(best "$archway" inspect --json --sha256 --jobs 1 "$dir"/artifact-*)
archway2_ms=$(best "$archway" inspect --json --sha256 --jobs 2 "$dir"/artifact-*)
sha256sum_ms=$(best sha256sum "$dir"/artifact-*)
mib=$((size * files))
rate() { python3 -c "print(f'{$mib / ($1 / 1000):.0f} MiB/s')"; }
printf '%-36s %8s ms  %s\n' "archway inspect --sha256 --jobs 1" "$archway_ms" "$(rate "$archway_ms")"
printf '%-36s %8s ms  %s\n' "archway inspect --sha256 --jobs 2" "$archway2_ms" "$(rate "$archway2_ms")"
printf '%-36s %8s ms  %s\n' "sha256sum" "$sha256sum_ms" "$(rate "$sha256sum_ms")"
python3 -c "print(f'sha256sum / archway (1 job): {$sha256sum_ms / $archway_ms:.2f}x; (2 jobs): {$sha256sum_ms / $archway2_ms:.2f}x')"
