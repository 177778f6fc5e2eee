#!/usr/bin/env bash
# Installs what Ward and its tests need on Debian 12, as root. Idempotent: a second run checks and returns.
#   scripts/setup.sh          the cluster, the sample images and the CLI (./ward up)
#   scripts/setup.sh --tests  also PostgreSQL, Chromium, wrk, busybox (the test image), dnsmasq (a test DNS server),
#                             pebble (a test ACME server) and aiosmtpd (a test SMTP server that receives alert mail)
#                             for the tests and benchmarks
set -euo pipefail

packages=(docker.io iproute2 iptables util-linux debootstrap curl ca-certificates)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(postgresql chromium wrk hyperfine busybox-static dnsmasq-base pebble python3-aiosmtpd)
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

# The Debian package would start the host's own engine under systemd; Ward never needs or touches it.
echo "setup: ready (${#missing[@]} package(s) installed)"
