#!/usr/bin/env bash
# The same facts (arch, interpreter, needed, linkage, glibc floor) over a corpus of real ELF files,
# three ways in one run: `archway inspect --json` (and its table), `file`, and one batched
# `readelf -h -l -d -V -W`, each given the same list of files. ROUNDS rounds, the tools' order
# rotated each round (this machine drifts ±10%): per tool the median and spread, and per round the
# ratios file/archway and readelf/archway, with their median and spread. Then archway's peak
# memory over the corpus folder and over four copies of it: what is held is a batch of facts, so
# it should not grow with the corpus.
#
#   Benchmarks/inspect.sh [DIR] [ROUNDS]
#
# DIR defaults to the corpus Benchmarks/corpus.sh builds (936 ELF files of 8 Debian arches:
# coreutils, busybox-static, libstdc++6, zlib1g, libssl3, grep, sed); ROUNDS to 9. Aims (issue 17):
# archway at least 3x faster than file and 15x faster than readelf there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-}
rounds=${2:-9}
if [ -z "$dir" ]; then dir=$("$root/Benchmarks/corpus.sh" | tail -n 1); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The binary users install (Scripts/install.sh: the Swift runtime linked in; it starts 10 ms sooner).
"$root/Scripts/install.sh" --prefix "$root/.build-install/bench" >/dev/null
archway=$root/.build-install/bench/bin/archway

python3 - "$archway" "$dir" "$rounds" "$work" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time

archway, folder, rounds, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
files = []
for base, _, names in os.walk(folder):
    for name in sorted(names):
        path = os.path.join(base, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, "rb") as handle:
            if handle.read(4) == b"\x7fELF":
                files.append(path)
files.sort()
size = sum(os.path.getsize(path) for path in files)
print(f"inspect: {len(files)} ELF files, {size / 1e6:.1f} MB under {folder}; {rounds} rounds")

# Every file read, none refused: the speed is of the whole job.
facts = subprocess.run([archway, "inspect", "--json"] + files, capture_output=True, check=True).stdout
read = json.loads(facts)
assert len(read) == len(files) and all(item["format"] == "elf" and item["arch"] for item in read), "archway missed files"

tools = {
    "archway inspect --json": [archway, "inspect", "--json"],
    "archway inspect (table)": [archway, "inspect"],
    "file": ["file"],
    "readelf -h -l -d -V -W": ["readelf", "-h", "-l", "-d", "-V", "-W"],
}
names = list(tools)
times = {name: [] for name in names}
for round_number in range(rounds):
    order = names[round_number % len(names):] + names[:round_number % len(names)]
    for name in order:
        start = time.perf_counter()
        subprocess.run(tools[name] + files, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)

def spread(values, scale=1, unit=""):
    return f"median {statistics.median(values) * scale:8.1f}{unit}  (min {min(values) * scale:.1f}, max {max(values) * scale:.1f})"

for name in names:
    print(f"{name:26} {spread(times[name], 1000, ' ms')}")
ours = times["archway inspect --json"]
for other, aim in (("file", 3), ("readelf -h -l -d -V -W", 15)):
    ratios = [theirs / mine for theirs, mine in zip(times[other], ours)]
    verdict = "meets" if statistics.median(ratios) >= aim else "misses"
    print(f"{other.split()[0]} / archway per round: {spread(ratios, 1, 'x')}  ({verdict} the aim of {aim}x)")

# Peak memory over the folder, then over four copies of it (hard links: no extra disk).
copies = os.path.join(work, "copies")
for index in range(4):
    for path in files:
        target = os.path.join(copies, str(index), os.path.relpath(path, folder))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
for label, where in (("the corpus", folder), ("four copies", copies)):
    child = subprocess.Popen([archway, "inspect", "--json", where], stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    print(f"archway's peak memory over {label:12}: {usage.ru_maxrss / 1024:.1f} MB")
PY
