#!/usr/bin/env bash
# The main job's proof that the clinic really works end to end, after ./ward up: through the load balancer on the
# manager (https://clinic.example.org, reached at the manager's address), a patient is created, read back by a second
# request (the load balancer spreads them over both web tasks), and the worker service sends its appointment reminder
# (so the load balancer, web, API, worker and PostgreSQL were all really used). Prints each step; exits non-zero on
# the first that fails.
#
#   scripts/clinic-round-trip.sh [DOMAIN [ADDRESS]]     default: clinic.example.org at the manager, 10.213.0.10
set -euo pipefail
domain="${1:-clinic.example.org}"
address="${2:-10.213.0.10}"
name="Round trip $(date -u +%Y%m%dT%H%M%S)-$$"
# The domain has no public DNS here: curl is told its address. Its certificate is from the load balancer's own
# authority (tls: internal), which curl is not asked to trust; the load balancer is checked, not the authority.
curl_lb() { curl -fsS -m 5 -k --resolve "$domain:443:$address" --resolve "$domain:80:$address" "$@"; }
first="https://$domain"
second="https://$domain"

say() { echo "round trip: $*"; }
fail() { echo "round trip: FAILED: $*" >&2; exit 1; }

# Port 80 redirects to HTTPS.
redirect=$(curl -sS -m 5 -o /dev/null -w '%{http_code} %{redirect_url}' --resolve "$domain:80:$address" "http://$domain/api/stats") || fail "http://$domain did not answer at $address"
[[ "$redirect" == "308 https://$domain/api/stats" ]] || fail "http://$domain should redirect to https, answered: $redirect"
say "http://$domain redirects to https"

# The API creates its tables when it starts and may still be waiting for the database: retry for a while.
created=""
for _ in $(seq 1 30); do
  if created=$(curl_lb -X POST -H 'Content-Type: application/json' -d "{\"name\": \"$name\"}" "$first/api/patients" 2>/dev/null); then
    break
  fi
  created=""
  sleep 2
done
[[ -n "$created" ]] || fail "POST $first/api/patients did not succeed within 60 s"
id=$(sed -n 's/.*"id": *\([0-9][0-9]*\).*/\1/p' <<<"$created")
[[ -n "$id" ]] || fail "POST $first/api/patients answered without an id: $created"
say "created patient $id ('$name') through $first (at $address)"

patients=$(curl_lb "$second/api/patients") || fail "GET $second/api/patients failed"
grep -q "\"id\": $id, \"name\": \"$name\"" <<<"$patients" || fail "patient $id is not listed through $second: $patients"
say "read patient $id back through $second (through the load balancer at $address)"

# The worker marks pending reminders sent every 5 s: the new appointment's reminder goes within a few rounds.
for _ in $(seq 1 30); do
  stats=$(curl_lb "$second/api/stats") || fail "GET $second/api/stats failed"
  pending=$(sed -n 's/.*"reminders_pending": *\([0-9][0-9]*\).*/\1/p' <<<"$stats")
  sent=$(sed -n 's/.*"reminders_sent": *\([0-9][0-9]*\).*/\1/p' <<<"$stats")
  if [[ "$pending" == 0 && "${sent:-0}" -ge 1 ]]; then
    say "the worker sent the reminder ($sent sent, none pending): $stats"
    exit 0
  fi
  sleep 1
done
fail "the worker did not send the reminder within 30 s: $stats"
