#!/usr/bin/env bash
# The executor against the plain way of doing the same work, in one run:
#  1. Emulated runs: in each of R rounds, K runs of hello for linux/arm64 as run steps of one cell
#     through Archway's qemu runner, and the same K raw `qemu-aarch64-static -L SYSROOT` runs from a
#     loop, the two in alternating order (this machine drifts ±10% minute to minute). Per round the
#     ratio archway/raw, and the noise floor: two raw loops of the same round against each other.
#     From the report, Archway's own time: its wall time less its steps' durations (start-up, the
#     report) and each step's duration against a raw run's (spawn, supervision, sweeps).
#     Then K `true` steps natively against K `subprocess.run`s: a step's cost without qemu's noise.
#  2. Scheduling: N cells whose run step sleeps S seconds at --jobs J against the ideal (N*S/J):
#     Archway's overhead per cell, its peak memory, and how long writing the four reports takes
#     (`archway merge` of the run's report.json: reading it back, then JSON, JUnit, Markdown, HTML).
#     Then how the cost grows: N and 10×N cells of `sleep 0.01`.
#  3. Containers (when podman and the image archway/debian-11:arm64 are there: archway env build
#     debian-11 --arch arm64 --engine podman): K/4 steps in one cell through Archway's container
#     runner against as many `podman run --rm`s, and against as many `podman exec`s in one container.
#
#   Benchmarks/run.sh [K] [N] [S] [R]    (default: 200 runs, 1000 cells, 0.1 s, 9 rounds)
#   ARCHWAY=path/to/archway Benchmarks/run.sh …   (that build instead of installing this checkout's:
#                                                 two builds measured in turn, side by side)
#
# Aims (issue 17): emulated runs within 5% of raw qemu; 1,000 cells at most 1.05x the ideal, at
# most 5 ms of Archway per cell, 150 MB, and reports written in under a second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-200} cells=${2:-1000} sleep_s=${3:-0.1} rounds=${4:-9}
jobs=$(nproc)
archway=$("$root/Benchmarks/archway-binary.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
ratio() { python3 -c "print(f'{$1 / max($2, 1):.3f}')"; }

aarch64-linux-gnu-gcc -O2 -o "$work/hello" "$root/Examples/hello/hello.c"

ARCHWAY_CHECKOUT=$root python3 - "$archway" "$work" "$runs" "$rounds" "$cells" "$sleep_s" "$jobs" <<'PY'
import json, os, statistics, subprocess, sys, time

archway, work, runs, rounds, cells, sleep_s, jobs = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:5]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
qemu, sysroot, hello = "/usr/bin/qemu-aarch64-static", "/usr/aarch64-linux-gnu", os.path.join(work, "hello")

def quiet(argv):
    return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def timed(argv):
    start = time.perf_counter()
    result = quiet(argv)
    return time.perf_counter() - start, result.returncode

def spread(values, digits=3):
    return f"median {statistics.median(values):.{digits}f} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"

# 1. Emulated runs.
matrix = os.path.join(work, "emulated.yml")
with open(matrix, "w") as out:
    out.write("matrix:\n  platform: [linux/arm64]\nbuild:\n")
    out.write(f'  argv: [cp, "{hello}", "${{cell.out}}/hello"]\n  artifacts: {{hello: "${{cell.out}}/hello"}}\nrun:\n')
    for i in range(runs):
        out.write(f'  - {{name: r{i}, argv: ["${{artifact:hello}}", "x"]}}\n')
emulated = os.path.join(work, "emulated")
quiet([archway, "run", matrix, "--out", emulated])  # warm: caches, page cache

def raw_loop():
    start = time.perf_counter()
    for _ in range(runs):
        quiet([qemu, "-L", sysroot, hello, "x"])
    return time.perf_counter() - start

ratios, noise, own, per_step = [], [], [], []
for _ in range(rounds):
    # A raw loop on each side of Archway's run: the drift reaches both ways alike.
    first = raw_loop()
    ours, status = timed([archway, "run", matrix, "--out", emulated])
    assert status == 0, "the emulated cell failed"
    last = raw_loop()
    ratios.append(ours / ((first + last) / 2))
    noise.append(last / first)
    steps = [step["duration"] for step in json.load(open(os.path.join(emulated, "report.json")))["cells"][0]["steps"] if step["name"].startswith("r")]
    own.append(ours - sum(steps))  # start-up, build (a cp), fingerprint, verification, report
    per_step.append((statistics.mean(steps) - (first + last) / 2 / runs) * 1000)
print(f"emulated runs: {runs} × hello under qemu-aarch64 in one cell, {rounds} rounds")
print(f"  archway / raw per round:      {spread(ratios)}   (aim: at most 1.05)")
print(f"  raw / raw in a round (noise): {spread(noise)}")
print(f"  a step against a raw run:     {spread(per_step, 2)} ms more")
print(f"  the rest of archway's run:    {spread([value * 1000 for value in own], 0)} ms (start-up, build, fingerprint, report)")

# Native steps: what Archway adds to a step without an emulator's noise, K `true` steps in one cell
# against as many `subprocess.run(["true"])`s, alternating: a step as recorded (spawn, limit,
# teardown, logs) and as the whole run's wall time over K (start-up and report spread over them).
native = os.path.join(work, "native.yml")
with open(native, "w") as out:
    out.write("matrix:\n  x: [a]\nrun:\n")
    for i in range(runs):
        out.write(f'  - {{name: t{i}, argv: ["true"]}}\n')
native_out = os.path.join(work, "native")
quiet([archway, "run", native, "--out", native_out])
recorded, walls, raws = [], [], []
for _ in range(rounds):
    start = time.perf_counter()
    for _ in range(runs):
        quiet(["true"])
    raws.append((time.perf_counter() - start) / runs * 1000)
    seconds, status = timed([archway, "run", native, "--out", native_out])
    assert status == 0, "the native cell failed"
    walls.append(seconds / runs * 1000)
    steps = json.load(open(os.path.join(native_out, "report.json")))["cells"][0]["steps"]
    recorded.append(statistics.mean(step["duration"] for step in steps) * 1000)
print(f"native steps: {runs} × true in one cell, {rounds} rounds")
print(f"  subprocess.run(['true']):     {spread(raws, 2)} ms")
print(f"  a step as recorded:           {spread(recorded, 2)} ms")
print(f"  archway's wall time / {runs}:    {spread(walls, 2)} ms: {spread([w / r for w, r in zip(walls, raws)], 2)} x")

# Start-up: from Archway's exec to the first program a cell runs, for the demo matrix (planned
# whole, one cell run), traced with strace (execve only, through seccomp: the rest runs untraced).
def first_exec_gap(trace):
    stamps = [float(line.split()[1]) for line in open(trace) if "execve(" in line and "= 0" in line]
    return (stamps[1] - stamps[0]) * 1000 if len(stamps) > 1 else float("nan")
checkout = os.environ.get("ARCHWAY_CHECKOUT")
if checkout and subprocess.run(["which", "strace"], capture_output=True).returncode == 0:
    gaps = []
    for index in range(5):
        trace = os.path.join(work, f"start-{index}.trace")
        subprocess.run(["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve", "-ttt", "-o", trace,
                        archway, "run", "Matrix/archway.yml", "--filter", "platform=linux/amd64,libc=gnu,cc=gcc",
                        "--out", os.path.join(work, "start")], cwd=checkout, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        gaps.append(first_exec_gap(trace))
    print(f"start-up (Matrix/archway.yml planned, to its first cell's first program): {spread(gaps, 1)} ms")

# 2. Scheduling, and how the cost grows.
def cell_matrix(count, seconds):
    path = os.path.join(work, f"cells-{count}-{seconds}.yml")
    with open(path, "w") as out:
        out.write(f"matrix:\n  n: [{','.join(map(str, range(1, count + 1)))}]\nrun:\n  - {{name: sleep, argv: [sleep, \"{seconds}\"]}}\n")
    return path

def run_cells(count, seconds):
    out = os.path.join(work, f"out-{count}-{seconds}")
    start = time.perf_counter()
    child = subprocess.Popen([archway, "run", cell_matrix(count, seconds), "--jobs", str(jobs), "--out", out],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, f"{count} cells did not pass"
    ideal = count * seconds / jobs
    return wall, ideal, usage.ru_maxrss / 1024, out

wall, ideal, memory, out = run_cells(cells, sleep_s)
report_time = min(timed([archway, "merge", os.path.join(out, "report.json"), "--out", os.path.join(work, f"merged-{i}")])[0] for i in range(3))
print(f"scheduling: {cells} cells of sleep {sleep_s} at --jobs {jobs}")
print(f"  archway run {wall:.2f} s, ideal {ideal:.2f} s: {wall / ideal:.3f}x   (aim: at most 1.05)")
print(f"  archway's overhead per cell: {(wall - ideal) * jobs / cells * 1000:.1f} ms   (aim: at most 5)")
print(f"  peak memory: {memory:.1f} MB   (aim: at most 150)")
print(f"  the four reports read back and written again (archway merge): {report_time:.2f} s   (aim: under 1)")
print(f"growth: cells of sleep 0.01 at --jobs {jobs}")
for count in (cells, 10 * cells):
    wall, ideal, memory, out = run_cells(count, 0.01)
    size = os.path.getsize(os.path.join(out, "report.json")) / 1e6
    report_time = timed([archway, "merge", os.path.join(out, "report.json"), "--out", os.path.join(work, f"merged-{count}")])[0]
    print(f"  {count:6} cells: {wall:7.2f} s ({(wall - ideal) * jobs / count * 1000:.1f} ms a cell over the ideal), "
          f"{memory:.0f} MB peak, report.json {size:.1f} MB, reports {report_time:.2f} s")
PY

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
