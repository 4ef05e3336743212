#!/usr/bin/env bash
# Fuzzes Archway's binary readers, its matrix parser, the per-test result parsers and the report
# reader with libFuzzer (swiftc -sanitize=fuzzer,address).
#
#   Scripts/fuzz.sh [SECONDS] [elf|macho|pe|archive|matrix|results|report ...]    (default: 60 s each, all seven)
#   FUZZ_UNTIL=FILE Scripts/fuzz.sh [SECONDS]    each target stops early, once FILE exists and it has
#                                                fuzzed FUZZ_AT_LEAST seconds (default 20)
#
# FUZZ_UNTIL is how Scripts/test.sh fuzzes in the time its background builds leave: the fuzzers
# fill that time, up to SECONDS each, and stop (libFuzzer interrupted, its statistics printed) when
# the builds are done, rather than hold up the tests for their full time.
#
# FUZZ_JOBS (default: the number of cores) targets are built and fuzzed at once: each fuzzer is one
# process on one core, and so is each swiftc build of one here, so on two cores the seven take
# about half the time one at a time would. A build two targets share (the readers, Yams, the
# codecs) is made once, by whichever asks first, while the other waits. Each target's output is
# printed when it ends.
#
# The binary readers are compiled once, with the fuzz entry Tests/Fuzz/ReaderFuzz.swift, into
# .build-fuzz/fuzz-readers, which fuzzes the reader $ARCHWAY_FUZZ_READER names (elf, macho, pe,
# archive), each seeded with the fixtures of its format (Scripts/build-fixtures.sh) and run for
# SECONDS. The matrix parser is compiled
# with Tests/Fuzz/MatrixFuzz.swift against Yams (from SwiftPM's checkout, built here with the same
# sanitizers) and seeded with the repository's matrix files. A crash, a time-out
# (5 s for one input) or an allocation over 256 MB fails the script; the input that caused it is
# kept in .build-fuzz/findings/ for a regression test. The result parsers (go test -json, TAP, JUnit:
# what a project under test writes) are compiled with Tests/Fuzz/ResultsFuzz.swift and seeded with
# the test-result files under Tests/. The report reader (what `archway report`, `diff`, `merge` and
# `--baseline` read) is compiled with Tests/Fuzz/ReportFuzz.swift and the whole kit, against
# Yams, swift-system and swift-subprocess built here from SwiftPM's checkouts (once per checkout
# commit, in .build-fuzz/) and without swift-crypto (Support/Digest.swift's stand-in); it is
# seeded with the reports in Tests/Fuzz/Seeds/. The kit is compiled unoptimised: -O takes nearly
# four minutes on two cores, -Onone one, and runs only a tenth slower (JSONDecoder, optimised in
# Foundation, does most of the work); ARCHWAY_FUZZ_OPT=-O compiles it optimised.
set -euo pipefail
shopt -s globstar
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
readers=("$@")
at_least=${FUZZ_AT_LEAST:-20}
# The longest build first, beside the readers' build: the cores stay busy.
[ ${#readers[@]} -gt 0 ] || readers=(report elf macho pe archive matrix results)
work=$root/.build-fuzz
fixtures=${ARCHWAY_FIXTURES:-$root/.build-fixtures}
[ -f "$fixtures/manifest.tsv" ] || "$root/Scripts/build-fixtures.sh" "$fixtures" >/dev/null
mkdir -p "$work/findings"

sources=("$root"/Sources/ArchwayKit/Support/*.swift "$root"/Sources/ArchwayKit/Target/*.swift "$root"/Sources/ArchwayKit/Binary/**/*.swift)
# The archive readers decode through ArchwayCodecs (C, over zlib, liblzma, libzstd, libbz2).
codecs=$work/codecs
build_codecs() {
  mkdir -p "$codecs"
  clang -c -O2 -g -fsanitize=address -I "$root/Sources/ArchwayCodecs/include" "$root/Sources/ArchwayCodecs/Codecs.c" \
    -o "$codecs/Codecs.o"
  printf 'module ArchwayCodecs {\n  umbrella header "%s"\n  export *\n}\n' \
    "$root/Sources/ArchwayCodecs/include/ArchwayCodecs.h" >"$codecs/module.modulemap"
}
codec_flags=(-I "$codecs" "$codecs/Codecs.o" -lz -llzma -lzstd -lbz2)
quiet() { "$@" 2> >(grep -v 'Cannot export local symbol' >&2); }

# A dependency from SwiftPM's checkout is built once per checkout commit (and version of this
# script) into $work/NAME; `built NAME CHECKOUT` says whether it is there already.
built() {
  local stamp
  stamp="$(git -C "$2" rev-parse HEAD 2>/dev/null || echo unknown) $(cksum <"$root/Scripts/fuzz.sh")"
  [ "$(cat "$work/$1/stamp" 2>/dev/null)" = "$stamp" ] && return 0
  rm -rf "${work:?}/$1" && mkdir -p "$work/$1" && echo "$stamp" >"$work/$1/.pending"
  return 1
}
done_building() { mv "$work/$1/.pending" "$work/$1/stamp"; }

# libyaml (CYaml) and Yams as SwiftPM fetched them, with the same sanitizers.
build_yams() {
  local yams=$root/.build/checkouts/Yams/Sources objects=$work/yams
  [ -d "$yams" ] || (cd "$root" && swift package resolve)
  built yams "$yams" && return 0
  for c in "$yams"/CYaml/src/*.c; do
    clang -c -O1 -g -fsanitize=fuzzer-no-link,address -I "$yams/CYaml/include" "$c" -o "$objects/$(basename "$c" .c).o"
  done
  quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -D SWIFT_PACKAGE -module-name Yams -emit-library -static \
    -emit-module -emit-module-path "$objects/Yams.swiftmodule" -I "$yams/CYaml/include" "$yams"/Yams/*.swift \
    -o "$objects/libYams.a"
  done_building yams
}

# The matrix parser's build, against Yams (build_yams).
build_matrix_fuzzer() {
  local yams=$root/.build/checkouts/Yams/Sources objects=$work/yams
  local matrix=$root/Sources/ArchwayKit/Matrix
  quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -package-name Archway -module-name ArchwayFuzz -I "$objects" \
    -I "$yams/CYaml/include" "$root"/Sources/ArchwayKit/Support/*.swift "$root"/Sources/ArchwayKit/Target/*.swift "$matrix/MatrixValue.swift" \
    "$matrix/MatrixValue+YAML.swift" "$matrix/MatrixFile.swift" "$matrix/MatrixError.swift" "$matrix/RegressionPolicy.swift" \
    "$matrix/TextPosition.swift" \
    "$root/Tests/Fuzz/MatrixFuzz.swift" "$objects/libYams.a" "$objects"/*.o -o "$1"
}

# swift-system (SystemPackage and its C shims) and swift-subprocess (Subprocess, _SubprocessCShims)
# as SwiftPM fetched them, with the settings of their Package.swift for Linux (release: no
# ENABLE_MOCKING; swift-subprocess's default trait SubprocessFoundation). Optimised, not
# instrumented: only Archway's code is fuzzed.
build_process_packages() {
  local system=$root/.build/checkouts/swift-system subprocess=$root/.build/checkouts/swift-subprocess
  [ -d "$subprocess" ] || (cd "$root" && swift package resolve)
  if ! built system "$system"; then
    local objects=$work/system availability=()
    clang -c -O2 -g -D SWIFT_PACKAGE -I "$system/Sources/CSystem/include" "$system/Sources/CSystem/shims.c" \
      -o "$objects/shims.o"
    # @available(System 1.1.0, *) and the like: the package defines one macro per version.
    for version in $(grep -o 'Available("[0-9.]*"' "$system/Package.swift" | cut -d'"' -f2); do
      availability+=(-enable-experimental-feature "AvailabilityMacro=System $version:macOS 10.10, iOS 8.0, watchOS 2.0, tvOS 9.0, visionOS 1.0")
    done
    quiet swiftc -parse-as-library -O -g -swift-version 6 -suppress-warnings -D SWIFT_PACKAGE -D SYSTEM_PACKAGE \
      -enable-experimental-feature Lifetimes "${availability[@]}" -package-name swift_system -module-name SystemPackage \
      -emit-library -static -emit-module -emit-module-path "$objects/SystemPackage.swiftmodule" \
      -I "$system/Sources/CSystem/include" "$system"/Sources/System/**/*.swift -o "$objects/libSystemPackage.a"
    done_building system
  fi
  if ! built subprocess "$subprocess"; then
    local objects=$work/subprocess shims=$subprocess/Sources/_SubprocessCShims
    clang -c -O2 -g -D SWIFT_PACKAGE -I "$shims/include" "$shims/process_shims.c" -o "$objects/process_shims.o"
    quiet swiftc -parse-as-library -O -g -swift-version 6 -suppress-warnings -D SWIFT_PACKAGE -D SubprocessFoundation \
      -enable-experimental-feature StrictConcurrency -enable-experimental-feature Lifetimes \
      -enable-upcoming-feature NonisolatedNonsendingByDefault -enable-upcoming-feature ExistentialAny \
      -enable-upcoming-feature MemberImportVisibility -enable-upcoming-feature InternalImportsByDefault \
      -package-name swift_subprocess -module-name Subprocess -emit-library -static -emit-module \
      -emit-module-path "$objects/Subprocess.swiftmodule" -I "$work/system" -I "$system/Sources/CSystem/include" \
      -I "$shims/include" "$subprocess"/Sources/Subprocess/**/*.swift -o "$objects/libSubprocess.a"
    done_building subprocess
  fi
}

# The report reader's build: Report's types reach nearly the whole kit (a cell's plan through the
# planner to Yams, its fingerprint and host through the step runner to swift-subprocess and
# swift-system, the spawn of ArchwaySpawn), so every file of ArchwayKit is compiled, against those
# packages (build_yams, build_process_packages, build_codecs) and ArchwaySpawn (C) built here.
# swift-crypto is not: the kit hashes only in Support/Digest.swift, which has a stand-in without it.
build_report_fuzzer() {
  local yams=$root/.build/checkouts/Yams/Sources checkouts=$root/.build/checkouts spawn=$work/spawn
  mkdir -p "$spawn"
  clang -c -O2 -g -fsanitize=address -I "$root/Sources/ArchwaySpawn/include" "$root/Sources/ArchwaySpawn/Spawn.c" \
    -o "$spawn/Spawn.o"
  printf 'module ArchwaySpawn {\n  umbrella header "%s"\n  export *\n}\n' \
    "$root/Sources/ArchwaySpawn/include/ArchwaySpawn.h" >"$spawn/module.modulemap"
  quiet swiftc -sanitize=fuzzer,address -parse-as-library "${ARCHWAY_FUZZ_OPT:--Onone}" -g -swift-version 6 -package-name Archway \
    -module-name ArchwayFuzz -I "$work/yams" -I "$work/system" -I "$work/subprocess" -I "$spawn" \
    -I "$yams/CYaml/include" -I "$checkouts/swift-system/Sources/CSystem/include" \
    -I "$checkouts/swift-subprocess/Sources/_SubprocessCShims/include" \
    "$root"/Sources/ArchwayKit/**/*.swift "$root/Tests/Fuzz/ReportFuzz.swift" \
    "$work/subprocess/libSubprocess.a" "$work/subprocess"/*.o "$work/system/libSystemPackage.a" "$work/system"/*.o \
    "$work/yams/libYams.a" "$work/yams"/*.o "$spawn/Spawn.o" "${codec_flags[@]}" -o "$1"
}

# One build per run of this script, shared by the targets that need it: `shared NAME COMMAND...`
# runs COMMAND unless another target of this run did; a target that asks meanwhile waits.
run_id="$$-$(date +%s%N)"
shared() {
  local name=$1 lock
  shift
  exec {lock}>"$work/$name.lock"
  flock "$lock"
  if [ "$(cat "$work/$name.done" 2>/dev/null)" != "$run_id" ]; then
    "$@"
    echo "$run_id" >"$work/$name.done"
  fi
  exec {lock}>&-
}
build_readers() {
  quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -enable-bare-slash-regex -package-name Archway \
    -module-name ArchwayFuzz "${sources[@]}" "$root/Tests/Fuzz/ReaderFuzz.swift" "${codec_flags[@]}" -o "$work/fuzz-readers"
}

# Builds TARGET's fuzzer, seeds its corpus and fuzzes it for $seconds; fails on a finding.
fuzz_target() {
  local reader=$1 magic binary=$work/fuzz-$1 corpus=$work/corpus-$1 leaks=1
  # FoundationXML leaks the CFError of every parse error it reports (not ours to fix): leaks are
  # not looked for in the result parsers; the malloc and RSS limits still hold.
  [ "$reader" = results ] && leaks=0
  mkdir -p "$corpus"
  case $reader in
    results)
      quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -enable-bare-slash-regex -package-name Archway -module-name ArchwayFuzz \
        "$root/Sources/ArchwayKit/Verification/TestResults.swift" "$root/Sources/ArchwayKit/Verification/Verdict.swift" \
        "$root/Sources/ArchwayKit/Matrix/Plan/TestResultsFormat.swift" "$root/Tests/Fuzz/ResultsFuzz.swift" -o "$binary"
      local seeds f
      seeds=$(find "$root/Tests" "$root/Examples" -type f \( -name '*.xml' -o -name '*.tap' -o -name '*.jsonl' \) | head -50)
      for f in $seeds; do head -c 65536 "$f" >"$corpus/seed-$(basename "$f")"; done
      printf '1..3\nok 1 - a\nnot ok 2 - b # TODO x\nok 3 # SKIP y\nBail out! z\n' >"$corpus/seed-tap"
      printf '{"Action":"run","Package":"p","Test":"T"}\n{"Action":"output","Package":"p","Test":"T","Output":"x\\n"}\n{"Action":"fail","Package":"p","Test":"T","Elapsed":0.1}\n{"Action":"fail","Package":"p"}\nFAIL\tq [build failed]\n' >"$corpus/seed-go"
      printf '<testsuites><testsuite name="s" tests="2"><testcase name="a" time="0.1"><failure message="m">t</failure><system-out>o</system-out></testcase><testcase name="b"><skipped/></testcase></testsuite></testsuites>' >"$corpus/seed-junit"
      ;;
    report)
      shared codecs build_codecs
      shared yams build_yams
      shared process-packages build_process_packages
      build_report_fuzzer "$binary"
      for f in "$root"/Tests/Fuzz/Seeds/report-*.json; do cp "$f" "$corpus/seed-$(basename "$f")"; done
      ;;
    matrix)
      shared yams build_yams
      build_matrix_fuzzer "$binary"
      for f in "$root"/Matrix/*.yml "$root"/Tests/Matrices/*.yml "$root"/Containers/*/environment.yml; do
        cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
      done
      ;;
    archive)
      shared codecs build_codecs
      shared readers build_readers
      binary=$work/fuzz-readers
      # Small archives of every kind, each holding the start of an ELF file and a link.
      local seed=$work/seed-archive
      rm -rf "$seed" && mkdir -p "$seed/pkg/DEBIAN" "$seed/pkg/usr/bin"
      head -c 2048 "$fixtures/c-gcc-linux-arm64" >"$seed/pkg/usr/bin/app" && ln -sf app "$seed/pkg/usr/bin/link"
      printf 'Package: app\nVersion: 1\nArchitecture: arm64\nMaintainer: a <a@b>\nDescription: d\n' >"$seed/pkg/DEBIAN/control"
      tar -cf "$corpus/seed.tar" -C "$seed/pkg" usr
      for c in gzip xz zstd bzip2; do "$c" -c "$corpus/seed.tar" >"$corpus/seed.tar.$c"; done
      gzip -c "$seed/pkg/usr/bin/app" >"$corpus/seed.gz"
      (cd "$seed/pkg" && zip -qry "$corpus/seed.zip" usr)
      dpkg-deb -Zxz --root-owner-group -b "$seed/pkg" "$corpus/seed.deb" >/dev/null
      printf '%s\n' 'Name: app' 'Version: 1' 'Release: 1' 'Summary: s' 'License: MIT' '%description' 'd' '%install' \
        "mkdir -p %{buildroot}/usr/bin && cp $seed/pkg/usr/bin/app %{buildroot}/usr/bin/" '%files' '/usr/bin/app' \
        >"$seed/app.spec"
      rpmbuild -bb -D "_topdir $seed/rpm" -D "_rpmdir $seed/rpms" -D 'debug_package %{nil}' -D '__strip /bin/true' \
        "$seed/app.spec" >/dev/null 2>&1 && find "$seed/rpms" -name '*.rpm' -exec cp {} "$corpus/seed.rpm" \;
      ;;
    elf | macho | pe)
      shared codecs build_codecs
      shared readers build_readers
      binary=$work/fuzz-readers
      case $reader in elf) magic='^ELF' ;; macho) magic='^Mach-O' ;; pe) magic='^PE32' ;; esac
      local f
      for f in "$fixtures"/*; do
        file -b "$f" | grep -q "$magic" || continue
        # Keep seeds small enough to mutate quickly: the headers and tables lie in the first 64 KiB.
        head -c 65536 "$f" >"$corpus/seed-$(basename "$f")"
      done
      ;;
  esac
  echo "fuzz: $reader for up to ${seconds}s with $(ls "$corpus" | wc -l) inputs"
  ARCHWAY_FUZZ_READER=$reader ASAN_OPTIONS="detect_leaks=$leaks" "$binary" "$corpus" -max_total_time="$seconds" \
    -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=256 -detect_leaks=$leaks -max_len=65536 \
    -artifact_prefix="$work/findings/$reader-" -print_final_stats=1 >"$work/$reader.log" 2>&1 &
  local fuzzer=$! started=$SECONDS code=0 interrupted=false
  if [ -n "${FUZZ_UNTIL:-}" ]; then
    # bash reaps the fuzzer when it ends, so `kill -0` fails then.
    while kill -0 "$fuzzer" 2>/dev/null; do
      if [ $((SECONDS - started)) -ge "$at_least" ] && [ -e "$FUZZ_UNTIL" ]; then
        kill -INT "$fuzzer" 2>/dev/null && interrupted=true
        break
      fi
      sleep 1
    done
  fi
  wait "$fuzzer" || code=$?
  # 72: libFuzzer's exit code when interrupted, which is how it stops early, findings aside.
  if $interrupted && [ "$code" -eq 72 ] && ! grep -q 'ERROR: libFuzzer\|ERROR: AddressSanitizer' "$work/$reader.log"; then
    code=0
    echo "fuzz: $reader: stopped after $((SECONDS - started))s: $FUZZ_UNTIL exists"
  fi
  if [ "$code" -ne 0 ]; then
    echo "fuzz: $reader FAILED (exit $code); see $work/$reader.log and $work/findings/" >&2
    tail -40 "$work/$reader.log" >&2
    return 1
  fi
  grep -E 'stat::number_of_executed_units|cov:' "$work/$reader.log" | tail -2 | sed "s/^/fuzz: $reader: /"
}

declare -A named=()
unique=()
for reader in "${readers[@]}"; do
  case $reader in
    elf | macho | pe | archive | matrix | results | report) ;;
    *) echo "fuzz: unknown target '$reader' (elf, macho, pe, archive, matrix, results, report)" >&2; exit 2 ;;
  esac
  [ -n "${named[$reader]:-}" ] || unique+=("$reader")
  named[$reader]=1
done
readers=("${unique[@]}")  # Named twice, a target would fuzz its own corpus twice at once.
parallel=${FUZZ_JOBS:-$(nproc)}
case $parallel in '' | *[!0-9]* | 0) echo "fuzz: FUZZ_JOBS '$parallel' is not a number of jobs (1 or more)" >&2; exit 2 ;; esac
case $at_least in *[!0-9]* | '') echo "fuzz: FUZZ_AT_LEAST '$at_least' is not a number of seconds" >&2; exit 2 ;; esac
status=0
declare -A job_of=()
# Prints the output of the target that ended next and notes a failure.
reap() {
  local pid code=0
  wait -n -p pid || code=$?
  cat "$work/${job_of[$pid]}.out"
  [ "$code" -eq 0 ] || status=1
  unset "job_of[$pid]"
}
for reader in "${readers[@]}"; do
  while [ ${#job_of[@]} -ge "$parallel" ]; do reap; done
  fuzz_target "$reader" >"$work/$reader.out" 2>&1 &
  job_of[$!]=$reader
done
while [ ${#job_of[@]} -gt 0 ]; do reap; done
exit $status
