#!/usr/bin/env bash
# ./ward down — undoes ./ward up: removes the clinic and the local cluster (images and packages stay cached).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ward="$root/ward"
if "$ward" cluster status >/dev/null 2>&1; then
  "$ward" destroy clinic-prod --yes || true
fi
"$root/scripts/serve.sh" stop
"$ward" cluster down
