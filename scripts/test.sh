#!/usr/bin/env bash
# Runs Ward's whole test suite on this machine, as root: installs and starts what the tests need (the Docker
# engine package, PostgreSQL, Chromium), builds, runs every test project, and prints the totals as one line:
#   N passed, N failed, N skipped
# Exits non-zero when anything failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/.artifacts/test-results"
cd "$root"

"$root/scripts/setup.sh" --tests
"$root/scripts/start-test-services.sh"

rm -rf "$results" && mkdir -p "$results"
export WARD_TEST_RESULTS="$results"

status=0
dotnet build Ward.slnx -c Release --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed (the build failed)"; exit 1; }

# The end-to-end story deploys to the local cluster that ./ward up uses: start it (quick when it is up already).
# The Docker tests bring up their own cluster (wardt0) and take it down again.
dotnet src/Ward.Cli/bin/Release/net10.0/ward.dll cluster up --workers 2 || { echo "0 passed, 1 failed (the local cluster did not start)"; exit 1; }

# Each test project is an xunit v3 executable: run them one after another (the Docker, server and browser tests share
# this machine's engine and ports), each writing its own TRX file. Running the executables directly keeps the totals
# independent of how a given SDK's `dotnet test` parses its arguments.
modules=()
while read -r project; do modules+=("$project"); done < <(sed -n 's|.*<Project Path="\(tests/[^"]*\)\.csproj".*|\1|p' Ward.slnx)
for module in "${modules[@]}"; do
  name=$(basename "$module")
  echo "== $name"
  "$root/$(dirname "$module")/bin/Release/net10.0/$name" -noLogo -noColor -result-trx "$results/$name.trx" || status=$?
done

# Totals from the test results themselves (xunit's TRX files), not from the runners' own summaries.
passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
# A test module that crashed writes no results: each one missing counts as a failure, so the line never hides it.
files=("$results"/*.trx)
if ((${#files[@]} < ${#modules[@]})); then
  echo "warning: ${#modules[@]} test modules, but only ${#files[@]} wrote results" >&2
  failed=$((failed + ${#modules[@]} - ${#files[@]}))
fi

echo "$passed passed, $failed failed, $skipped skipped"
if ((failed > 0 || status != 0)); then
  exit 1
fi
