#!/usr/bin/env bash
# `npm test`: the whole suite, in order, stopping at the first failing stage.
#   system-deps  scripts/install-system-deps.sh (installs missing packages as root on Debian/Ubuntu)
#   lint         npm run lint        (ESLint, incl. the lib/ and server/ import boundaries)
#   typecheck    npm run typecheck   (tsc --noEmit)
#   unit         npm run test:unit   (vitest)
#   build        npm run build       (next build; the browser suite runs against the built app)
#   e2e          npm run test:e2e    (Playwright with /usr/bin/chromium and /usr/bin/firefox-esr; never downloads a browser)
#   lab          npm run test:lab    (network-namespace lab; root on Linux only, else reported as skipped)
# Prints how long each stage took at the end, also when a stage fails or hits its deadline.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export NEXT_TELEMETRY_DISABLED=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

STAGE_NAMES=()
STAGE_MS=()
SUITE_STARTED_MS=0

now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME/[.,]/}
    printf '%s' "${t:0:${#t}-3}"
  else
    date +%s%3N
  fi
}

format_ms() {
  local ms=$1
  printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100))
}

print_timings() {
  local i total
  printf '\nnpm test: stage timings\n'
  for i in "${!STAGE_NAMES[@]}"; do
    printf '  %-12s %8s\n' "${STAGE_NAMES[$i]}" "$(format_ms "${STAGE_MS[$i]}")"
  done
  total=$(($(now_ms) - SUITE_STARTED_MS))
  printf '  %-12s %8s\n' total "$(format_ms "$total")"
}

# The stage running now, for the INT/TERM trap.
STAGE_PID=""
INTERRUPTED=""
on_signal() {
  INTERRUPTED=$1
  # timeout(1) passes the signal on to the whole stage (npm, vitest workers, browsers).
  if [[ -n $STAGE_PID ]]; then kill -"$1" "$STAGE_PID" 2>/dev/null || true; fi
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

# run_stage NAME LIMIT COMMAND... : runs one stage under a deadline (timeout(1) syntax, e.g. 10m) so a hang
# fails fast and names the stage instead of eating CI's 90 minutes. On failure prints the timings and exits.
run_stage() {
  local name=$1 limit=$2
  shift 2
  local started status=0
  printf '\n=== npm test: stage %s: %s\n' "$name" "$*"
  started=$(now_ms)
  # In the background so the trap runs while we wait; timeout gives the stage its own process group.
  timeout --kill-after=30s "$limit" "$@" </dev/null &
  STAGE_PID=$!
  wait "$STAGE_PID" || status=$?
  if [[ -n $INTERRUPTED ]]; then
    status=0
    wait "$STAGE_PID" || status=$? # the stage's real exit, after it handled the signal
  fi
  STAGE_PID=""
  STAGE_MS+=($(($(now_ms) - started)))
  STAGE_NAMES+=("$name")
  if [[ -n $INTERRUPTED ]]; then
    print_timings
    printf '\nnpm test: interrupted (SIG%s) during stage "%s"\n' "$INTERRUPTED" "$name" >&2
    exit 130
  fi
  if [[ $status != 0 ]]; then
    print_timings
    if [[ $status == 124 || $status == 137 ]]; then
      printf '\nnpm test: FAILED at stage "%s": still running after %s, stopped (%s)\n' "$name" "$limit" "$*" >&2
    else
      printf '\nnpm test: FAILED at stage "%s" (%s exited with status %d)\n' "$name" "$*" "$status" >&2
    fi
    exit "$status"
  fi
}

SUITE_STARTED_MS=$(now_ms)

# Deadlines are generous ceilings (the whole suite should take well under 20 minutes), not expectations.
run_stage system-deps 20m bash scripts/install-system-deps.sh
# ESLint and tsc each keep one core busy for ≈ 15 s: run side by side on CI's two cores, both always finish, either
# failing fails the stage (each prints its own errors).
run_stage lint+typecheck 5m bash -c 'npm run --silent lint & lint=$!; npm run --silent typecheck; tc=$?; wait "$lint"; l=$?; ((l == 0 && tc == 0)) || { echo "lint exited $l, typecheck exited $tc" >&2; exit 1; }'
run_stage unit 10m npm run --silent test:unit
run_stage build 10m npm run --silent build
run_stage e2e 20m npm run --silent test:e2e

# --- lab stage: `npm run test:lab`, the network-namespace lab of shared/LAB.md (e2e/lab/README.md). -------
# Needs root on Linux (ip netns, iptables, tc). CI runs as root; in CI a non-root run fails (e2e/lab/run.sh),
# elsewhere it is reported as skipped, never as passed. The lab takes about 7 minutes: its 33 network rows and the
# monitor's row (four real checks, ≈ 40 s).
if [[ $(uname -s) == Linux && $(id -u) == 0 ]] || [[ ${CI:-} == true || ${CI:-} == 1 ]]; then
  run_stage lab 12m npm run --silent test:lab
else
  printf '\n=== npm test: stage lab: SKIPPED — the network lab needs root on Linux (run: sudo npm run test:lab)\n'
  STAGE_NAMES+=("lab SKIPPED")
  STAGE_MS+=(0)
fi
# --------------------------------------------------------------------------------------------------------

print_timings
printf '\nnpm test: all stages passed\n'
