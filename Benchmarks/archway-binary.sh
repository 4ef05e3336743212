#!/usr/bin/env bash
# Prints the archway a benchmark measures: $ARCHWAY when set (another build, measured side by side),
# else the binary users install (Scripts/install.sh: the Swift runtime linked in; it starts 10 ms
# sooner), installed from this checkout into .build-install/bench.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${ARCHWAY:-}" ]; then
  echo "$ARCHWAY"
  exit 0
fi
"$root/Scripts/install.sh" --prefix "$root/.build-install/bench" >/dev/null
echo "$root/.build-install/bench/bin/archway"
