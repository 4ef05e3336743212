#!/usr/bin/env bash
# Fuzzes Archway's binary readers, its matrix parser and the per-test result parsers with libFuzzer
# (swiftc -sanitize=fuzzer,address).
#
#   Scripts/fuzz.sh [SECONDS] [elf|macho|pe|matrix|results ...]     (default: 60 seconds each, all five)
#
# Each reader is compiled with the fuzz entry Tests/Fuzz/ReaderFuzz.swift into .build-fuzz/, seeded with the
# fixtures of its format (Scripts/build-fixtures.sh) and run for SECONDS. The matrix parser is compiled
# with Tests/Fuzz/MatrixFuzz.swift against Yams (from SwiftPM's checkout, built here with the same
# sanitizers) and seeded with the repository's matrix files. A crash, a time-out
# (5 s for one input) or an allocation over 256 MB fails the script; the input that caused it is
# kept in .build-fuzz/findings/ for a regression test. The result parsers (go test -json, TAP, JUnit:
# what a project under test writes) are compiled with Tests/Fuzz/ResultsFuzz.swift and seeded with
# the test-result files under Tests/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
readers=("$@")
[ ${#readers[@]} -gt 0 ] || readers=(elf macho pe matrix results)
work=$root/.build-fuzz
fixtures=${ARCHWAY_FIXTURES:-$root/.build-fixtures}
[ -f "$fixtures/manifest.tsv" ] || "$root/Scripts/build-fixtures.sh" "$fixtures" >/dev/null
mkdir -p "$work/findings"

sources=("$root"/Sources/ArchwayKit/Support/*.swift "$root"/Sources/ArchwayKit/Target/*.swift "$root"/Sources/ArchwayKit/Binary/*.swift)
quiet() { "$@" 2> >(grep -v 'Cannot export local symbol' >&2); }

# The matrix parser's build: libyaml (CYaml) and Yams as SwiftPM fetched them, then the parser's files.
build_matrix_fuzzer() {
  local yams=$root/.build/checkouts/Yams/Sources objects=$work/yams
  [ -d "$yams" ] || (cd "$root" && swift package resolve)
  mkdir -p "$objects"
  for c in "$yams"/CYaml/src/*.c; do
    clang -c -O1 -g -fsanitize=fuzzer-no-link,address -I "$yams/CYaml/include" "$c" -o "$objects/$(basename "$c" .c).o"
  done
  quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -D SWIFT_PACKAGE -module-name Yams -emit-library -static \
    -emit-module -emit-module-path "$objects/Yams.swiftmodule" -I "$yams/CYaml/include" "$yams"/Yams/*.swift \
    -o "$objects/libYams.a"
  local matrix=$root/Sources/ArchwayKit/Matrix
  quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -package-name Archway -module-name ArchwayFuzz -I "$objects" \
    -I "$yams/CYaml/include" "$root"/Sources/ArchwayKit/Support/*.swift "$root"/Sources/ArchwayKit/Target/*.swift "$matrix/MatrixValue.swift" \
    "$matrix/MatrixValue+YAML.swift" "$matrix/MatrixFile.swift" "$matrix/MatrixError.swift" "$matrix/RegressionPolicy.swift" \
    "$matrix/TextPosition.swift" \
    "$root/Tests/Fuzz/MatrixFuzz.swift" "$objects/libYams.a" "$objects"/*.o -o "$1"
}

status=0
for reader in "${readers[@]}"; do
  case $reader in
    elf) flag=FUZZ_ELF magic='^ELF' ;;
    macho) flag=FUZZ_MACHO magic='^Mach-O' ;;
    pe) flag=FUZZ_PE magic='^PE32' ;;
    matrix | results) flag='' ;;
    *) echo "fuzz: unknown target '$reader' (elf, macho, pe, matrix, results)" >&2; exit 2 ;;
  esac
  binary=$work/fuzz-$reader
  # FoundationXML leaks the CFError of every parse error it reports (not ours to fix): leaks are
  # not looked for in the result parsers; the malloc and RSS limits still hold.
  leaks=1
  [ "$reader" = results ] && leaks=0
  corpus=$work/corpus-$reader
  mkdir -p "$corpus"
  if [ "$reader" = results ]; then
    quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -enable-bare-slash-regex -package-name Archway -module-name ArchwayFuzz \
      "$root/Sources/ArchwayKit/Verification/TestResults.swift" "$root/Sources/ArchwayKit/Verification/Verdict.swift" \
      "$root/Sources/ArchwayKit/Matrix/Plan/TestResultsFormat.swift" "$root/Tests/Fuzz/ResultsFuzz.swift" -o "$binary"
    seeds=$(find "$root/Tests" "$root/Examples" -type f \( -name '*.xml' -o -name '*.tap' -o -name '*.jsonl' \) | head -50)
    for f in $seeds; do head -c 65536 "$f" >"$corpus/seed-$(basename "$f")"; done
    printf '1..3\nok 1 - a\nnot ok 2 - b # TODO x\nok 3 # SKIP y\nBail out! z\n' >"$corpus/seed-tap"
    printf '{"Action":"run","Package":"p","Test":"T"}\n{"Action":"output","Package":"p","Test":"T","Output":"x\\n"}\n{"Action":"fail","Package":"p","Test":"T","Elapsed":0.1}\n{"Action":"fail","Package":"p"}\nFAIL\tq [build failed]\n' >"$corpus/seed-go"
    printf '<testsuites><testsuite name="s" tests="2"><testcase name="a" time="0.1"><failure message="m">t</failure><system-out>o</system-out></testcase><testcase name="b"><skipped/></testcase></testsuite></testsuites>' >"$corpus/seed-junit"
  elif [ "$reader" = matrix ]; then
    build_matrix_fuzzer "$binary"
    for f in "$root"/Matrix/*.yml "$root"/Tests/Matrices/*.yml "$root"/Containers/*/environment.yml; do
      cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
    done
  else
    quiet swiftc -sanitize=fuzzer,address -parse-as-library -O -g -package-name Archway -module-name ArchwayFuzz -D "$flag" \
      "${sources[@]}" "$root/Tests/Fuzz/ReaderFuzz.swift" -o "$binary"
    for f in "$fixtures"/*; do
      file -b "$f" | grep -q "$magic" || continue
      # Keep seeds small enough to mutate quickly: the headers and tables lie in the first 64 KiB.
      head -c 65536 "$f" >"$corpus/seed-$(basename "$f")"
    done
  fi
  echo "fuzz: $reader for ${seconds}s with $(ls "$corpus" | wc -l) inputs"
  if ! ASAN_OPTIONS="detect_leaks=$leaks" "$binary" "$corpus" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=256 -detect_leaks=$leaks \
      -max_len=65536 -artifact_prefix="$work/findings/$reader-" -print_final_stats=1 >"$work/$reader.log" 2>&1; then
    echo "fuzz: $reader FAILED; see $work/$reader.log and $work/findings/" >&2
    tail -40 "$work/$reader.log" >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "$work/$reader.log" | tail -2 | sed "s/^/fuzz: $reader: /"
  fi
done
exit $status
