#!/usr/bin/env bash
# `npm run test:lab`: the network-namespace lab (e2e/lab/main.ts). Needs Linux and root (ip netns, iptables,
# tc). Elsewhere it says why it cannot run: exit 1 in CI (CI=true — the lab is part of CI's proof), else exit 0
# as an explicit SKIP (a developer without root still gets the rest of `npm test`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

skip() {
  printf 'test:lab: cannot run the network lab: %s\n' "$1" >&2
  printf 'test:lab: it builds network namespaces and changes iptables/tc/routes inside them; run it as root on Linux: sudo npm run test:lab\n' >&2
  if [[ ${CI:-} == true || ${CI:-} == 1 ]]; then
    printf 'test:lab: FAILED: CI=%s and CI must run the lab (run CI as root on Linux).\n' "$CI" >&2
    exit 1
  fi
  printf 'test:lab: SKIPPED (not CI). Nothing was tested.\n' >&2
  exit 0
}

[[ $(uname -s) == Linux ]] || skip "network namespaces need Linux (this is $(uname -s))"
[[ $(id -u) == 0 ]] || skip "it needs root (running as $(id -un), uid $(id -u))"
command -v ip >/dev/null 2>&1 || skip "iproute2 (ip) is not installed"

export NEXT_TELEMETRY_DISABLED=1
# One process (no tsx wrapper process): Ctrl-C reaches the runner, which tears the lab down by PID.
exec node --import tsx e2e/lab/main.ts "$@"
