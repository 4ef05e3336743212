#!/usr/bin/env bash
# What a run step costs on a machine over ssh (`runner: ssh`), against what people do by hand: a
# plain `ssh HOST true` (a new connection each time) and one round trip over a shared connection
# (`ssh -S SOCKET HOST true`, the floor). The per-step cost is (a run of 1+STEPS steps − a run of 1
# step) / STEPS, so the build, the upload and the connection are left out. The machine is a real
# OpenSSH server this script starts on 127.0.0.1 (as the tests do; sshd as root needs /run/sshd).
# Rounds alternate the ways (this machine drifts ±10%) and the spread is printed.
#
#   Benchmarks/ssh.sh [STEPS] [ROUNDS]   (default: 40 steps, 5 rounds; the installed binary, or $ARCHWAY)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
steps=${1:-40}
rounds=${2:-5}
if [ -z "${ARCHWAY:-}" ]; then
  "$root/Scripts/install.sh" --prefix "$root/.build-install/bench" >/dev/null
  ARCHWAY=$root/.build-install/bench/bin/archway
fi
work=$(mktemp -d)
cleanup() {
  [ -f "$work/pid" ] && kill "$(cat "$work/pid")" 2>/dev/null
  ssh -S "$work/socket" -O exit x 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for key in host client; do ssh-keygen -q -t ed25519 -N '' -f "$work/$key"; done
cp "$work/client.pub" "$work/authorized_keys"
mkdir -p /run/sshd
port=$((20000 + RANDOM % 30000))
cat >"$work/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxSessions 100
PidFile $work/pid
EOF
/usr/sbin/sshd -f "$work/sshd_config" -E "$work/sshd.log"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/host.pub")" >"$work/known_hosts"
ssh_options=(-F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$work/known_hosts"
  -o IdentitiesOnly=yes -i "$work/client" -p "$port")

# A matrix of one cell on the machine with `count` steps of `true`.
matrix() {
  local count=$1
  printf 'hosts:\n  box: {host: 127.0.0.1, port: %s, identity_file: %s, known_hosts: %s}\n' \
    "$port" "$work/client" "$work/known_hosts"
  printf 'matrix:\n  platform: [linux/amd64]\ndefaults:\n  host: box\nrun:\n'
  for n in $(seq "$count"); do printf '  - {name: s%s, argv: [true]}\n' "$n"; done
}
matrix 1 >"$work/one.yml"
matrix $((steps + 1)) >"$work/many.yml"

now() { echo "${EPOCHREALTIME/./}"; }
# One round: a run of 1 step and of 1+STEPS (per-step µs), STEPS plain ssh calls and STEPS calls
# over a shared connection (µs each).
round() {
  local start one many plain shared
  start=$(now); (cd "$work" && "$ARCHWAY" run one.yml --out one >/dev/null 2>&1); one=$(($(now) - start))
  start=$(now)
  for _ in $(seq "$steps"); do ssh "${ssh_options[@]}" 127.0.0.1 true; done
  plain=$((($(now) - start) / steps))
  start=$(now); (cd "$work" && "$ARCHWAY" run many.yml --out many >/dev/null 2>&1); many=$(($(now) - start))
  ssh "${ssh_options[@]}" -o ControlMaster=yes -o "ControlPath=$work/socket" -N -f 127.0.0.1
  start=$(now)
  for _ in $(seq "$steps"); do ssh "${ssh_options[@]}" -o "ControlPath=$work/socket" 127.0.0.1 true; done
  shared=$((($(now) - start) / steps))
  ssh -o "ControlPath=$work/socket" -O exit 127.0.0.1 2>/dev/null
  echo $(((many - one) / steps)) "$plain" "$shared"
}

(cd "$work" && "$ARCHWAY" run one.yml --out one >/dev/null 2>&1) || {
  echo "ssh.sh: the warm-up run failed:" >&2
  "$ARCHWAY" run "$work/one.yml" --out "$work/one" >&2 || true
  exit 1
}
echo "ssh: $steps steps of 'true' on a machine over ssh (127.0.0.1:$port), $rounds rounds"
per_plain=()
per_shared=()
for number in $(seq "$rounds"); do
  read -r step plain shared < <(round)
  per_plain+=("$(python3 -c "print(f'{$step / $plain:.3f}')")")
  per_shared+=("$(python3 -c "print(f'{$step / $shared:.3f}')")")
  echo "round $number: a step ${step} µs, ssh HOST true ${plain} µs (${per_plain[-1]}), over a shared connection ${shared} µs (${per_shared[-1]})"
done
python3 - "${per_plain[*]}" "${per_shared[*]}" <<'PY'
import statistics, sys
for name, text in zip(["a step / ssh HOST true", "a step / one shared round trip"], sys.argv[1:]):
    r = [float(x) for x in text.split()]
    print(f"{name}: median {statistics.median(r):.3f}, spread {min(r):.3f}–{max(r):.3f}")
PY
