#!/usr/bin/env bash
# Checks, and as root on Debian/Ubuntu installs, the system packages netready's test suite runs against:
# Chromium for the browser tests, coturn as TURN interop peer, openssl/certutil for the dev CA, pebble (Let's
# Encrypt's ACME test server) for the ACME tests, promtool (prometheus) to check /metrics and deploy/'s alerting rules,
# systemd-analyze to check deploy/'s unit, PostgreSQL for the result
# store's tests, a font for rendering, and the network lab's tools (squid,
# dnsmasq, iptables, conntrack, iproute2).
#
# Idempotent: prints one line per package and changes nothing when all are present. When something is missing:
#   root on Debian/Ubuntu  -> apt-get install (packaged services kept from starting via policy-rc.d), exit 0
#   otherwise              -> prints the exact command to run, exit 1
# The lab's packages are needed only by the lab stage, which runs only as root; a non-root user missing only
# those is told how to add them but not stopped. Never downloads a browser: tests use /usr/bin/chromium.
set -euo pipefail

# package:binary-that-proves-it ("-" = package only). Keep in step with README.md ("Requirements").
CORE_PACKAGES=(
  "chromium:chromium"
  # The second engine (issue 18): Playwright drives the stock Firefox ESR over WebDriver BiDi (`moz-firefox`).
  "firefox-esr:firefox-esr"
  "coturn:turnserver"
  "openssl:openssl"
  "libnss3-tools:certutil"
  # server/acme/ tests obtain and renew certificates from a real ACME server (never a mock).
  "pebble:pebble"
  # promtool checks that the probe's and the web app's /metrics answers parse as Prometheus text (server/ops/).
  "prometheus:promtool"
  # deploy/ (issue 19): the monitor's systemd unit is checked with systemd-analyze verify.
  "systemd:systemd-analyze"
  "fonts-dejavu-core:-"
  # The troubleshooter's kit (issue 20): tshark decodes the probe servers' pcapng captures and loads the shipped
  # Wireshark profile (`tshark -C`), so the tests prove both open in Wireshark.
  "tshark:tshark"
  # The result store's repository tests run against a throw-away PostgreSQL cluster (server/store/testing/postgres.ts:
  # initdb + postgres from /usr/lib/postgresql/<version>/bin, no service; policy-rc.d keeps the packaged one stopped).
  "postgresql:-"
  # Python's zipfile unpacks the Wireshark profile's zip in its tests (deploy/wireshark); the lab's nfq-delay.py
  # (packet delay on kernels without sch_netem, standard library only) uses it too.
  "python3:python3"
)
# The network lab (e2e/lab/, root only: network namespaces).
LAB_PACKAGES=(
  "squid-openssl:squid"
  "dnsmasq-base:dnsmasq"
  "iptables:iptables"
  "conntrack:conntrack"
  "iproute2:ip"
)

POLICY_RC=/usr/sbin/policy-rc.d

say() { printf 'install-system-deps: %s\n' "$*"; }

is_debian_like() {
  [[ -r /etc/os-release ]] || return 1
  local id id_like
  id=$(. /etc/os-release && printf '%s' "${ID:-}")
  id_like=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
  [[ $id == debian || $id == ubuntu || " $id_like " == *" debian "* || " $id_like " == *" ubuntu "* ]] &&
    command -v dpkg-query >/dev/null && command -v apt-get >/dev/null
}

has_binary() {
  local bin=$1
  [[ $bin == - ]] && return 0
  # Off Debian the browser may live anywhere; NETREADY_CHROMIUM names it (the CLI and tests honour it too).
  [[ $bin == chromium && -n ${NETREADY_CHROMIUM:-} && -x ${NETREADY_CHROMIUM:-} ]] && return 0
  command -v "$bin" >/dev/null 2>&1 && return 0
  # sbin tools (ip, iptables, conntrack) are not on a normal user's PATH on Debian.
  [[ -x /usr/sbin/$bin || -x /sbin/$bin ]]
}

# Fills MISSING with the packages that are not installed; prints one status line per package.
check_packages() {
  MISSING=()
  MISSING_LAB=()
  local entry pkg bin version kind
  for entry in "${CORE_PACKAGES[@]}" lab "${LAB_PACKAGES[@]}"; do
    if [[ $entry == lab ]]; then kind=lab; continue; fi
    pkg=${entry%%:*}
    bin=${entry#*:}
    if [[ $DEBIAN == 1 ]]; then
      if [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true) == installed ]] && has_binary "$bin"; then
        version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
        printf '  ok       %-18s %s\n' "$pkg" "$version"
      else
        printf '  missing  %s\n' "$pkg"
        MISSING+=("$pkg")
        if [[ ${kind:-core} == lab ]]; then MISSING_LAB+=("$pkg"); fi
      fi
    else
      if [[ $bin == - ]]; then
        printf '  unknown  %-18s (not Debian/Ubuntu: cannot check without dpkg)\n' "$pkg"
      elif has_binary "$bin"; then
        printf '  ok       %-18s (%s found)\n' "$pkg" "$bin"
      else
        printf '  missing  %-18s (no %s on PATH)\n' "$pkg" "$bin"
        MISSING+=("$pkg")
        if [[ ${kind:-core} == lab ]]; then MISSING_LAB+=("$pkg"); fi
      fi
    fi
  done
}

# The install command as root types it, or with sudo for everyone else.
apt_command() {
  if [[ $(id -u) == 0 ]]; then
    printf 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s' "$*"
  else
    printf 'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s' "$*"
  fi
}

# policy-rc.d exiting 101 tells invoke-rc.d "do not start services": installing coturn or squid must not leave
# daemons listening on 3478/3128 that would collide with the tests' own servers.
CREATED_POLICY=0
BACKED_UP_POLICY=""
install_policy_rc() {
  if [[ -e $POLICY_RC ]]; then
    if [[ -x $POLICY_RC ]] && { "$POLICY_RC" x start >/dev/null 2>&1; [[ $? == 101 ]]; }; then
      return 0 # an existing policy already forbids starts; leave it as it is
    fi
    BACKED_UP_POLICY="$POLICY_RC.netready-backup.$$"
    mv "$POLICY_RC" "$BACKED_UP_POLICY"
  fi
  printf '#!/bin/sh\n# Written by netready scripts/install-system-deps.sh while installing packages; removed afterwards.\nexit 101\n' >"$POLICY_RC"
  chmod 0755 "$POLICY_RC"
  CREATED_POLICY=1
}
restore_policy_rc() {
  if [[ $CREATED_POLICY == 1 ]]; then
    rm -f "$POLICY_RC"
    CREATED_POLICY=0
  fi
  if [[ -n $BACKED_UP_POLICY ]]; then
    mv "$BACKED_UP_POLICY" "$POLICY_RC"
    BACKED_UP_POLICY=""
  fi
}

DEBIAN=0
if is_debian_like; then DEBIAN=1; fi

say "checking system packages"
check_packages

if [[ ${#MISSING[@]} == 0 ]]; then
  say "all system packages present"
  exit 0
fi

if [[ $DEBIAN == 1 && $(id -u) == 0 ]]; then
  say "installing: ${MISSING[*]}"
  trap restore_policy_rc EXIT
  trap 'exit 130' INT TERM
  install_policy_rc
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  apt-get "${apt_opts[@]}" update </dev/null || { say "apt-get update failed (exit $?)" >&2; exit 1; }
  apt-get "${apt_opts[@]}" install -y --no-install-recommends "${MISSING[@]}" </dev/null ||
    { say "apt-get install failed (exit $?)" >&2; exit 1; }
  restore_policy_rc
  trap - EXIT INT TERM
  say "re-checking after install"
  check_packages
  if [[ ${#MISSING[@]} != 0 ]]; then
    say "still missing after apt-get install: ${MISSING[*]}" >&2
    exit 1
  fi
  say "all system packages present"
  exit 0
fi

if [[ $(id -u) != 0 && ${#MISSING[@]} == "${#MISSING_LAB[@]}" ]]; then
  say "missing only the network lab's packages (${MISSING_LAB[*]}); the lab runs only as root, so continuing."
  say "to run the lab later, as root: $(apt_command "${MISSING_LAB[@]}")"
  exit 0
fi

{
  say "missing system packages: ${MISSING[*]}"
  if [[ $DEBIAN == 1 ]]; then
    say "install them, then run npm test again:"
    printf '\n    %s\n\n' "$(apt_command "${MISSING[@]}")"
  else
    say "this is not Debian/Ubuntu, so nothing can be installed automatically. On Debian/Ubuntu the command is:"
    printf '\n    %s\n\n' "$(apt_command "${MISSING[@]}")"
    say "install the equivalents with your package manager (Chromium: point NETREADY_CHROMIUM at its binary)."
  fi
} >&2
exit 1
