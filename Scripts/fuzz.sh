#!/usr/bin/env bash
# Fuzzes Archway's binary readers and its matrix parser with libFuzzer (swiftc -sanitize=fuzzer,address).
#
#   Scripts/fuzz.sh [SECONDS] [elf|macho|pe|matrix ...]     (default: 60 seconds each, all four)
#
# Each reader is compiled with the fuzz entry Tests/Fuzz/ReaderFuzz.swift into .build-fuzz/, seeded with the
# fixtures of its format (Scripts/build-fixtures.sh) and run for SECONDS. The matrix parser is compiled
# with Tests/Fuzz/MatrixFuzz.swift against Yams (from SwiftPM's checkout, built here with the same
# sanitizers) and seeded with the repository's matrix files. A crash, a time-out
# (5 s for one input) or an allocation over 256 MB fails the script; the input that caused it is
# kept in .build-fuzz/findings/ for a regression test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
readers=("$@")
[ ${#readers[@]} -gt 0 ] || readers=(elf macho pe matrix)
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
    "$root/Tests/Fuzz/MatrixFuzz.swift" "$objects/libYams.a" "$objects"/*.o -o "$1"
}

status=0
for reader in "${readers[@]}"; do
  case $reader in
    elf) flag=FUZZ_ELF magic='^ELF' ;;
    macho) flag=FUZZ_MACHO magic='^Mach-O' ;;
    pe) flag=FUZZ_PE magic='^PE32' ;;
    matrix) flag='' ;;
    *) echo "fuzz: unknown target '$reader' (elf, macho, pe, matrix)" >&2; exit 2 ;;
  esac
  binary=$work/fuzz-$reader
  corpus=$work/corpus-$reader
  mkdir -p "$corpus"
  if [ "$reader" = matrix ]; then
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
  if ! "$binary" "$corpus" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=256 \
      -max_len=65536 -artifact_prefix="$work/findings/$reader-" -print_final_stats=1 >"$work/$reader.log" 2>&1; then
    echo "fuzz: $reader FAILED; see $work/$reader.log and $work/findings/" >&2
    tail -40 "$work/$reader.log" >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "$work/$reader.log" | tail -2 | sed "s/^/fuzz: $reader: /"
  fi
done
exit $status
