#!/usr/bin/env bash
# After ./ward down: lists what the local cluster left on this machine (its bridge, network namespaces, engines,
# containerd shims, mounts and folders). Prints nothing and exits 0 when nothing is left.
#
#   scripts/host-leftovers.sh [BRIDGE] [STATE_DIR] [RUN_DIR]
set -uo pipefail
bridge="${1:-ward0}"
state="${2:-${WARD_CLUSTER_DIR:-/var/lib/ward/cluster}}"
run="${3:-/run/ward/$(basename "$state")}"
left=0
report() { echo "left behind: $*"; left=1; }

ip link show "$bridge" >/dev/null 2>&1 && report "the bridge $bridge"
for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
  [[ "$ns" == "$bridge"-* ]] && report "the network namespace $ns"
done
pgrep -af -- "--data-root $state/" >/dev/null && report "engines: $(pgrep -af -- "--data-root $state/" | cut -c1-120)"
mounts=$(findmnt -rn -o TARGET | grep -E "^($state|$run)(/|$)")
if [[ -n "$mounts" ]]; then
  report "$(wc -l <<<"$mounts") mount(s) under $state or $run, such as $(head -3 <<<"$mounts" | tr '\n' ' ')"
fi
[[ -e "$state/cluster.json" ]] && report "the cluster's state file $state/cluster.json"
exit "$left"
