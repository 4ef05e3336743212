#!/bin/sh
# make check: libhex's test programs and a pipeline between its tools, as TAP on standard output.
# Exits 1 when any test fails. Usage: sh check.sh FOLDER (where the programs were built).
out=${1:-.}
count=0
failed=0

result() {  # result NAME STATUS
  count=$((count + 1))
  if [ "$2" -eq 0 ]; then
    echo "ok $count - $1"
  else
    failed=$((failed + 1))
    echo "not ok $count - $1"
    if [ "$2" -gt 128 ] && [ "$2" -lt 193 ]; then echo "# killed by signal $(($2 - 128))"; else echo "# exit $2"; fi
  fi
}

echo "1..5"
for test in roundtrip words stack; do
  "$out/test-$test" >"$out/test-$test.log" 2>&1
  status=$?
  sed 's/^/# /' "$out/test-$test.log"
  result "$test" "$status"
done

# A pipeline of two freshly built programs: bytes through hexenc and hexdec come back unchanged.
"$out/hexenc" <"$out/test-roundtrip" | "$out/hexdec" >"$out/roundtrip.bytes" && cmp -s "$out/test-roundtrip" "$out/roundtrip.bytes"
result pipeline $?

[ "$(printf 'Archway' | "$out/hexenc")" = 41726368776179 ]
result known-text $?

[ "$failed" -eq 0 ]
