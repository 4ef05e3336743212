#!/usr/bin/env bash
# The same facts (arch, interpreter, needed, linkage, glibc floor) over every ELF under DIR, three
# ways in one run: `archway inspect --json`, one batched `readelf -h -l -d -V -W`, and `file`.
# Prints the best of RUNS wall-clock times for each and the ratios.
#
#   Benchmarks/inspect.sh [DIR] [RUNS]     (default: /usr/lib/x86_64-linux-gnu, 5 runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/usr/lib/x86_64-linux-gnu}
runs=${2:-5}
(cd "$root" && swift build -c release --product archway >/dev/null)
archway=$(cd "$root" && swift build -c release --show-bin-path)/archway
list=$(mktemp)
trap 'rm -f "$list"' EXIT
# Regular files (not links) that begin with the ELF magic.
python3 - "$dir" >"$list" <<'PY'
import os, sys
for base, _, names in os.walk(sys.argv[1]):
    for name in sorted(names):
        path = os.path.join(base, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    print(path)
        except OSError:
            pass
PY
count=$(wc -l <"$list")
bytes=$(xargs -d '\n' cat <"$list" | wc -c)
echo "inspect: $count ELF files, $((bytes / 1048576)) MiB under $dir; best of $runs runs"

best() {  # best wall time in ms of "$@" over $runs runs
  local best_ms=999999999 start end ms
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    [ "$ms" -lt "$best_ms" ] && best_ms=$ms
  done
  echo "$best_ms"
}
archway_ms=$(best xargs -d '\n' -a "$list" "$archway" inspect --json)
readelf_ms=$(best xargs -d '\n' -a "$list" readelf -h -l -d -V -W)
file_ms=$(best xargs -d '\n' -a "$list" file)
ratio() { python3 -c "print(f'{$1 / max($2, 1):.2f}x')"; }
printf '%-34s %8s ms\n' "archway inspect --json" "$archway_ms" "readelf -h -l -d -V -W" "$readelf_ms" "file" "$file_ms"
echo "readelf / archway: $(ratio "$readelf_ms" "$archway_ms")   (above 1: archway is faster)"
echo "file / archway:    $(ratio "$file_ms" "$archway_ms")"
