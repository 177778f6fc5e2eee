#!/usr/bin/env bash
# Runs Ward's whole test suite on this machine, as root, and the main job around it: installs and starts what the
# tests need (the Docker engine package, PostgreSQL, Chromium, ...), builds, runs ./ward up and the clinic's round
# trip, runs every test project, then ./ward down and checks that nothing of the local cluster is left. Prints the
# totals as one line, counting the main job's two checks with the tests:
#   N passed, N failed, N skipped
# Exits non-zero when anything failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/.artifacts/test-results"
cd "$root"

# Either of these lets checks pass without checking (golden files rewritten, a test cluster kept from an earlier run).
unset WARD_UPDATE_GOLDEN WARD_TEST_KEEP_CLUSTER

"$root/scripts/setup.sh" --tests
"$root/scripts/start-test-services.sh"

rm -rf "$results" && mkdir -p "$results"
export WARD_TEST_RESULTS="$results"

# The test projects are those of the solution; every project under tests/ must be one of them, or it would never run.
modules=()
while read -r project; do modules+=("$project"); done < <(sed -n 's|.*<Project Path="\(tests/[^"]*\)\.csproj".*|\1|p' Ward.slnx)
if ((${#modules[@]} == 0)); then
  echo "0 passed, 1 failed (no test project found in Ward.slnx)"
  exit 1
fi
for project in tests/*/*.csproj; do
  if [[ ! " ${modules[*]} " == *" ${project%.csproj} "* ]]; then
    echo "0 passed, 1 failed ($project is not in Ward.slnx, so the suite would never run it)"
    exit 1
  fi
done

status=0
dotnet build Ward.slnx -c Release --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed (the build failed)"; exit 1; }

# The main job, as a user runs it on a clean clone: ./ward up, then a patient through the clinic end to end.
main_passed=0; main_failed=0
echo "== main job: ./ward up"
started=$SECONDS
if ./ward up && ./scripts/clinic-round-trip.sh; then
  echo "== main job: ./ward up and the clinic's round trip passed in $((SECONDS - started)) s"
  main_passed=$((main_passed + 1))
else
  echo "== main job: ./ward up or the clinic's round trip FAILED after $((SECONDS - started)) s"
  main_failed=$((main_failed + 1))
  # The end-to-end tests still need the local cluster.
  dotnet src/Ward.Cli/bin/Release/net10.0/ward.dll cluster up --workers 2 || true
fi

# Each test project is an xunit v3 executable: run them one after another (the Docker, server and browser tests share
# this machine's engine and ports), each writing its own TRX file, each within a time limit (a hung module fails, and
# the suite goes on). Running the executables directly keeps the totals independent of how a given SDK's
# `dotnet test` parses its arguments.
limit_of() {
  case "$1" in
    Ward.Docker.Tests) echo 38m ;;
    Ward.EndToEnd.Tests|Ward.Server.Tests) echo 15m ;;
    *) echo 10m ;;
  esac
}
for module in "${modules[@]}"; do
  name=$(basename "$module")
  echo "== $name (time limit $(limit_of "$name"))"
  timeout --kill-after=30s "$(limit_of "$name")" "$root/$(dirname "$module")/bin/Release/net10.0/$name" -noLogo -noColor -result-trx "$results/$name.trx" || {
    code=$?
    ((code == 124 || code == 137)) && echo "== $name did not finish within $(limit_of "$name")"
    status=$code
  }
done

# The main job's end: ./ward down leaves nothing of the local cluster on the machine.
echo "== main job: ./ward down"
if ./ward down && ./scripts/host-leftovers.sh; then
  echo "== main job: ./ward down left nothing behind"
  main_passed=$((main_passed + 1))
else
  echo "== main job: ./ward down FAILED or left something behind"
  main_failed=$((main_failed + 1))
fi

# Totals from the test results themselves (xunit's TRX files), not from the runners' own summaries.
passed=$main_passed; failed=$main_failed; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
# A test module that crashed or hit its time limit writes no results: each one missing counts as a failure, so the
# line never hides it.
files=("$results"/*.trx)
if ((${#files[@]} < ${#modules[@]})); then
  echo "warning: ${#modules[@]} test modules, but only ${#files[@]} wrote results" >&2
  failed=$((failed + ${#modules[@]} - ${#files[@]}))
fi

echo "$passed passed, $failed failed, $skipped skipped"
if ((failed > 0 || status != 0)); then
  exit 1
fi
