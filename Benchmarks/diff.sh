#!/usr/bin/env bash
# archway diff on two reports of CELLS cells (default 1000), made from one real run: a small
# matrix of Examples/hello is run once, its report's cells copied under new ids, and in the second
# report a tenth of them changed (a floor raised, a library added, an output and a size changed).
# Prints the best of RUNS wall-clock times of `archway diff` and of Python merely reading both reports
# (the floor for any tool that reads them), and their ratio. The aim: under a second.
#
#   Benchmarks/diff.sh [CELLS] [RUNS]     (default: 1000 cells, 5 runs; the installed binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-1000}
runs=${2:-5}
# The binary users install (Scripts/install.sh: the Swift runtime linked in; it starts 10 ms sooner).
"$root/Scripts/install.sh" --prefix "$root/.build-install/bench" >/dev/null
archway=$root/.build-install/bench/bin/archway
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/m.yml" <<'YAML'
matrix:
  platform: [linux/amd64, linux/arm64]
build:
  argv: ["${target.gcc_prefix}gcc", -O2, -o, "${cell.out}/hello", Examples/hello/hello.c, -lm]
  artifacts:
    hello: "${cell.out}/hello"
run:
  - name: greet
    argv: ["${artifact:hello}", x]
YAML
(cd "$root" && "$archway" run "$work/m.yml" --out "$work/seed" >/dev/null 2>&1)
python3 - "$work/seed/report.json" "$cells" "$work/old.json" "$work/new.json" <<'PY'
import copy, json, sys
seed, count, old_path, new_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
report = json.load(open(seed))
base = report["cells"]
old = [dict(copy.deepcopy(base[i % len(base)]), id=f"cell-{i}") for i in range(count)]
new = copy.deepcopy(old)
for i, cell in enumerate(new):
    if i % 10: continue
    facts = cell["artifacts"][0]["facts"]
    facts["glibc_floor"] = "2.99"
    facts.setdefault("floors", {})["GLIBC"] = "2.99"
    facts["needed"] = facts.get("needed", []) + ["libextra.so.1"]
    cell["artifacts"][0]["size"] *= 2
    cell["steps"][-1]["stdout_head"] += "changed\n"
for path, cells in ((old_path, old), (new_path, new)):
    report["cells"] = cells
    json.dump(report, open(path, "w"))
PY
best() {  # the best of $runs wall-clock seconds of "$@"
  local best="" start elapsed
  for _ in $(seq "$runs"); do
    start=${EPOCHREALTIME/./}
    "$@" >/dev/null || true
    elapsed=$((${EPOCHREALTIME/./} - start))
    if [ -z "$best" ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
  done
  echo "$best"
}
ours=$(best "$archway" diff "$work/old.json" "$work/new.json" --json)
reading=$(best python3 -c 'import json,sys; [json.load(open(p)) for p in sys.argv[1:]]' "$work/old.json" "$work/new.json")
changes=$("$archway" diff "$work/old.json" "$work/new.json" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["changes"]))' || true)
size=$(du -k "$work/new.json" | cut -f1)
echo "diff: $cells cells per report (${size} KiB each), $changes changes; best of $runs runs"
python3 -c "print(f'archway diff {$ours/1e6:.3f} s, python json.load of both {$reading/1e6:.3f} s, ratio {$ours/$reading:.2f} (aim: under 1 s)')"
