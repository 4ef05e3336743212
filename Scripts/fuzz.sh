#!/usr/bin/env bash
# Fuzzes Archway's binary readers with libFuzzer (swiftc -sanitize=fuzzer,address).
#
#   Scripts/fuzz.sh [SECONDS] [elf|macho|pe ...]     (default: 60 seconds each, every reader)
#
# Each reader is compiled with the fuzz entry Tests/Fuzz/ReaderFuzz.swift into .build-fuzz/, seeded with the
# fixtures of its format (Scripts/build-fixtures.sh) and run for SECONDS. A crash, a time-out
# (5 s for one input) or an allocation over 256 MB fails the script; the input that caused it is
# kept in .build-fuzz/findings/ for a regression test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
readers=("$@")
[ ${#readers[@]} -gt 0 ] || readers=(elf macho pe)
work=$root/.build-fuzz
fixtures=${ARCHWAY_FIXTURES:-$root/.build-fixtures}
[ -f "$fixtures/manifest.tsv" ] || "$root/Scripts/build-fixtures.sh" "$fixtures" >/dev/null
mkdir -p "$work/findings"

sources=("$root"/Sources/ArchwayKit/Target/*.swift "$root"/Sources/ArchwayKit/Binary/*.swift)
status=0
for reader in "${readers[@]}"; do
  case $reader in
    elf) flag=FUZZ_ELF magic='^ELF' ;;
    macho) flag=FUZZ_MACHO magic='^Mach-O' ;;
    pe) flag=FUZZ_PE magic='^PE32' ;;
    *) echo "fuzz: unknown reader '$reader' (elf, macho, pe)" >&2; exit 2 ;;
  esac
  binary=$work/fuzz-$reader
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ArchwayFuzz -D "$flag" \
    "${sources[@]}" "$root/Tests/Fuzz/ReaderFuzz.swift" -o "$binary" 2> >(grep -v 'Cannot export local symbol' >&2)
  corpus=$work/corpus-$reader
  mkdir -p "$corpus"
  for f in "$fixtures"/*; do
    file -b "$f" | grep -q "$magic" || continue
    # Keep seeds small enough to mutate quickly: the headers and tables lie in the first 64 KiB.
    head -c 65536 "$f" >"$corpus/seed-$(basename "$f")"
  done
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
