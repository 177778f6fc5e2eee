#!/usr/bin/env bash
# Starts the services the tests use and that no one starts for CI: PostgreSQL (for the control plane's store).
# The local swarm is started by the tests themselves (ward cluster up), the browser by the browser tests.
set -euo pipefail

if command -v pg_lsclusters >/dev/null 2>&1; then
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  if [[ -n "$cluster" ]] && ! pg_lsclusters -h | awk 'NR==1 {exit ($4=="online")?0:1}'; then
    pg_ctlcluster $cluster start
  fi
  # A role and database for the tests; the password is for this loopback-only test server.
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='ward'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE ward LOGIN SUPERUSER PASSWORD 'ward-tests'\""
  echo "start-test-services: PostgreSQL $(pg_lsclusters -h | awk 'NR==1 {print $1" "$4}') on 127.0.0.1:$(pg_lsclusters -h | awk 'NR==1 {print $3}')"
fi
