#!/usr/bin/env bash
# Installs what Ward and its tests need on Debian 12, as root. Idempotent: a second run checks and returns.
#   scripts/setup.sh          the cluster, the sample images and the CLI (./ward up)
#   scripts/setup.sh --tests  also PostgreSQL, Chromium, wrk, busybox (the test image), dnsmasq (a test DNS server),
#                             pebble (a test ACME server), aiosmtpd (a test SMTP server that receives alert mail) and
#                             Redocly's OpenAPI linter (npm) for the tests and benchmarks, and the .NET tools of
#                             .config/dotnet-tools.json (Kiota, which generates the API client the tests drive)
set -euo pipefail

packages=(docker.io iproute2 iptables util-linux debootstrap curl ca-certificates)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(postgresql chromium wrk hyperfine busybox-static dnsmasq-base pebble python3-aiosmtpd jq)
  # npm (and Node.js with it) from Debian, unless a Node.js is there already (its own npm comes with it).
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: run as root (it installs packages and creates network namespaces)" >&2
  exit 77
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is needed and is not on PATH (install it from Microsoft's packages, then run again)" >&2
  exit 69
fi

if [[ "${1:-}" == "--tests" ]]; then
  # Redocly CLI lints the server's OpenAPI document in the tests. 2.x wants Node.js 20.19 or 22.12+; Debian 12's own
  # Node.js is 18, where the last 1.x release runs. Both pinned.
  node_version=$(node -p 'process.versions.node')
  IFS=. read -r node_major node_minor _ <<<"$node_version"
  if ((node_major > 22 || (node_major == 22 && node_minor >= 12) || (node_major == 20 && node_minor >= 19))); then
    redocly_version=2.77.0
  else
    redocly_version=1.34.20
  fi
  if [[ "$(redocly --version 2>/dev/null | tail -n 1)" != "$redocly_version" ]]; then
    echo "setup: installing @redocly/cli $redocly_version (Node.js $node_version)"
    npm install --global --no-fund --no-audit --loglevel=error "@redocly/cli@$redocly_version" >/dev/null
  fi

  # Kiota (a .NET tool, pinned in .config/dotnet-tools.json): the server tests generate the API client with it.
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && dotnet tool restore >/dev/null)
fi

# The Debian package would start the host's own engine under systemd; Ward never needs or touches it.
echo "setup: ready (${#missing[@]} package(s) installed)"
