#!/usr/bin/env bash
# The main job's proof that the clinic really works end to end, after ./ward up: a patient created through one
# worker's web front end is read back through the other worker's, and the worker service sends its appointment
# reminder (so the API, the worker and PostgreSQL were all really used). Prints each step; exits non-zero on the
# first that fails.
#
#   scripts/clinic-round-trip.sh [FIRST_URL SECOND_URL]     default: the local cluster's two workers
set -euo pipefail
first="${1:-http://10.213.0.11:${CLINIC_WEB_PORT:-8080}}"
second="${2:-http://10.213.0.12:${CLINIC_WEB_PORT:-8080}}"
name="Round trip $(date -u +%Y%m%dT%H%M%S)-$$"

say() { echo "round trip: $*"; }
fail() { echo "round trip: FAILED: $*" >&2; exit 1; }

# The API creates its tables when it starts and may still be waiting for the database: retry for a while.
created=""
for _ in $(seq 1 30); do
  if created=$(curl -fsS -m 5 -X POST -H 'Content-Type: application/json' -d "{\"name\": \"$name\"}" "$first/api/patients" 2>/dev/null); then
    break
  fi
  created=""
  sleep 2
done
[[ -n "$created" ]] || fail "POST $first/api/patients did not succeed within 60 s"
id=$(sed -n 's/.*"id": *\([0-9][0-9]*\).*/\1/p' <<<"$created")
[[ -n "$id" ]] || fail "POST $first/api/patients answered without an id: $created"
say "created patient $id ('$name') through $first"

patients=$(curl -fsS -m 5 "$second/api/patients") || fail "GET $second/api/patients failed"
grep -q "\"id\": $id, \"name\": \"$name\"" <<<"$patients" || fail "patient $id is not listed through $second: $patients"
say "read patient $id back through $second"

# The worker marks pending reminders sent every 5 s: the new appointment's reminder goes within a few rounds.
for _ in $(seq 1 30); do
  stats=$(curl -fsS -m 5 "$second/api/stats") || fail "GET $second/api/stats failed"
  pending=$(sed -n 's/.*"reminders_pending": *\([0-9][0-9]*\).*/\1/p' <<<"$stats")
  sent=$(sed -n 's/.*"reminders_sent": *\([0-9][0-9]*\).*/\1/p' <<<"$stats")
  if [[ "$pending" == 0 && "${sent:-0}" -ge 1 ]]; then
    say "the worker sent the reminder ($sent sent, none pending): $stats"
    exit 0
  fi
  sleep 1
done
fail "the worker did not send the reminder within 30 s: $stats"
