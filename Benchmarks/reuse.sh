#!/usr/bin/env bash
# `archway run --reuse` (docs/reuse.md) against a run without it, in one run, on two matrices:
#  - the demo (Matrix/archway.yml: 14 cells, seven under qemu), whose run steps are short and whose
#    builds (gcc, zig, Go) cost about as much;
#  - a test suite under emulation: Go's math/big tests (`go test -c`, run with -test.short) for
#    seven linux targets, six under qemu: the nightly the reuse is for.
# Per matrix, in each of R rounds, in alternating order: a cold run (no --reuse), a run with nothing
# changed (--reuse of the last run's folder), and one with one cell's build changed (its binary gets
# another build id, as another source would give it). Each as a ratio of that round's cold run,
# with the spread; for the changed run also its excess over the changed cell's own cold time.
# Both name their builds' inputs, so a cell whose inputs did not change takes the last run's build.
# Every reuse run is checked: nothing changed → every cell reused, build and runs; one changed → all
# but that one.
#
#   Benchmarks/reuse.sh [R]                      (default: 5 rounds)
#   ARCHWAY=path/to/archway Benchmarks/reuse.sh  (that build instead of installing this checkout's)
#
# Aims (issue 35): nothing changed ≤ 10% of a cold run; one cell changed ≤ that cell's cost + 10%.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
archway=$("$root/Benchmarks/archway-binary.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Examples" "$work/changed"
cp -r "$root/Examples/hello" "$work/Examples/"

# The demo, its gcc and zig builds given the build id in changed/CELL when there is one.
python3 - "$root/Matrix/archway.yml" "$work/demo.yml" <<'PY'
import sys
text = open(sys.argv[1]).read()
build_id = '    extra=; if [ -f "changed/${cell.id}" ]; then extra="-Wl,--build-id=0x$(cat "changed/${cell.id}")"; fi\n'
text = text.replace("    case \"${cc}\" in\n", build_id + "    case \"${cc}\" in\n", 1)
text = text.replace("Examples/hello/hello.c -lm ;;", "Examples/hello/hello.c -lm $extra ;;")
assert text.count("$extra ;;") == 2, "the demo's build script changed; update Benchmarks/reuse.sh"
# The file that gives a build its build id is one of what it reads.
text = text.replace("  inputs: [Examples/hello]\n", '  inputs: [Examples/hello, "changed/${cell.id}"]\n')
assert "changed/${cell.id}\"]" in text, "the demo names no inputs; update Benchmarks/reuse.sh"
open(sys.argv[2], "w").write(text.replace("# yaml-language-server: $schema=archway.schema.json\n", ""))
PY

cat >"$work/gotest.yml" <<'YAML'
matrix:
  platform: [linux/amd64, linux/386, linux/arm64, linux/arm/v7, linux/riscv64, linux/ppc64le, linux/s390x]
build:
  shell: bash
  script: |
    extra=; if [ -f "changed/${cell.id}" ]; then extra="-ldflags=-buildid=$(cat "changed/${cell.id}")"; fi
    GOOS=linux GOARCH=${target.goarch} CGO_ENABLED=0 go test -c $extra -o "${cell.out}/big.test" math/big
  artifacts: {test: "${cell.out}/big.test"}
  # Go's standard library is the Debian package's, which the key holds; the build id file is the rest.
  inputs: ["changed/${cell.id}"]
run:
  - name: tests
    argv: ["${artifact:test}", -test.short]
    timeout: 300
YAML

cd "$work"
python3 - "$archway" "$rounds" <<'PY'
import json, os, statistics, subprocess, sys, time

archway, rounds = sys.argv[1], int(sys.argv[2])
changed = {"demo": "linux-riscv64-gnu-cc=gcc", "gotest": "linux-riscv64-gnu"}

def run(matrix, out, reuse=None):
    argv = [archway, "run", f"{matrix}.yml", "--out", out] + (["--reuse", out] if reuse else [])
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {result.returncode}: {result.stderr[-2000:]}")
    return seconds, json.load(open(os.path.join(out, "report.json")))

def build_share(report, jobs=os.cpu_count()):
    """Seconds the builds that ran take of a run: their steps' durations over the jobs that ran them."""
    return sum(s["duration"] for c in report["cells"] if c["id"] not in built_earlier(report)
               for s in c["steps"] if s["role"] == "build") / jobs

def reused(report):
    return {c["id"] for c in report["cells"] if (c.get("reuse") or {}).get("reused_from")}

def built_earlier(report):
    """The cells whose build was taken from the earlier run (their inputs named and unchanged)."""
    return {c["id"] for c in report["cells"] if (c.get("reuse") or {}).get("build_reused_from")}

def spread(values, digits=3):
    return f"median {statistics.median(values):.{digits}f} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"

for matrix in ["demo", "gotest"]:
    target = changed[matrix]
    # Warm-up: the compilers' caches, qemu and the binaries in the page cache; the folder a nightly reuses.
    _, cold = run(matrix, f"{matrix}-cold")
    # Each cell's build id file, an input of its build, is there from the start: a build whose input
    # is not there is never taken (docs/reuse.md). Eight bytes: lld writes a shorter id's note unpadded,
    # which readelf and Archway both call damaged.
    for cell in cold["cells"]:
        with open(f"changed/{cell['id']}", "w") as f:
            f.write("0123456789abcdef")
    _, first = run(matrix, f"{matrix}-last")
    cells = {c["id"] for c in first["cells"]}
    colds, same, one, excess, cell_cold, builds = [], [], [], [], [], []
    for r in range(rounds):
        measured = {}
        order = ["cold", "same", "one"] if r % 2 == 0 else ["one", "same", "cold"]
        for kind in order:
            if kind == "cold":
                seconds, report = run(matrix, f"{matrix}-cold")
                cell_cold.append(next(c["duration"] for c in report["cells"] if c["id"] == target))
            elif kind == "same":
                seconds, report = run(matrix, f"{matrix}-last", reuse=True)
                assert reused(report) == cells, f"nothing changed, yet ran again: {cells - reused(report)}"
                assert built_earlier(report) == cells, f"nothing changed, yet built: {cells - built_earlier(report)}"
                builds.append(build_share(report) / seconds)
            else:
                with open(f"changed/{target}", "w") as f:
                    f.write(f"{os.getpid():08x}{r:04x}{time.time_ns() & 0xffff:04x}")
                seconds, report = run(matrix, f"{matrix}-last", reuse=True)
                assert reused(report) == cells - {target}, f"one changed, yet: {cells - reused(report)}"
                assert built_earlier(report) == cells - {target}, f"one changed, yet built: {cells - built_earlier(report)}"
            measured[kind] = seconds
        colds.append(measured["cold"])
        same.append(measured["same"] / measured["cold"])
        one.append(measured["one"] / measured["cold"])
        excess.append((measured["one"] - cell_cold[-1]) / measured["cold"])
    print(f"{matrix}: {len(cells)} cells, {rounds} rounds in alternating order")
    print(f"  cold run (no --reuse)       {spread(colds, 2)} s")
    print(f"  nothing changed / cold      {spread(same)}   (aim ≤ 0.10)")
    print(f"    of which builds            {spread(builds)} of that run (builds not taken: their time over the jobs)")
    print(f"  one cell changed / cold     {spread(one)}")
    print(f"    less that cell's cold time {spread(excess)}   (aim ≤ 0.10; the cell took {spread(cell_cold, 2)} s cold)")
PY
