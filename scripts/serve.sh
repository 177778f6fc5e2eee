#!/usr/bin/env bash
# Starts, stops or describes the Ward server that ./ward up runs in the background.
#   serve.sh start        start it unless it already answers (idempotent)
#   serve.sh stop         stop it
#   serve.sh setup-hint   on a first run, where to find the one-time setup code
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url="${WARD_SERVE_URL:-http://127.0.0.1:8080}"
data="${WARD_DATA_DIR:-/var/lib/ward/data}"
state="/var/lib/ward/serve"
pidfile="$state/serve.pid"
logfile="$state/serve.log"

answers() { curl -fsS -m 2 "$url/api/v1/health" >/dev/null 2>&1; }

case "${1:-start}" in
  start)
    if answers; then
      echo "ward serve: already answering at $url"
      exit 0
    fi
    mkdir -p "$state" "$data"
    "$root/ward" --version >/dev/null   # build first, in the foreground, so failures show here
    # Its own session, so it outlives this script and Ctrl-C in this terminal.
    setsid "$root/ward" serve --urls "$url" --data "$data" >>"$logfile" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    for _ in $(seq 1 60); do
      if answers; then
        echo "ward serve: answering at $url (log: $logfile)"
        exit 0
      fi
      sleep 0.5
    done
    echo "ward serve: did not answer within 30 s; see $logfile" >&2
    tail -5 "$logfile" >&2 || true
    exit 1
    ;;
  stop)
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill "$(cat "$pidfile")"
      echo "ward serve: stopped"
    fi
    rm -f "$pidfile"
    ;;
  setup-hint)
    code=$(grep -o 'setup code: [A-Z0-9-]*' "$logfile" 2>/dev/null | tail -1 | awk '{print $3}')
    if [[ -n "$code" ]] && curl -fsS -m 2 "$url/api/v1/setup" 2>/dev/null | grep -q '"needed":true'; then
      echo "(first run: create the owner with the one-time setup code $code)"
    fi
    ;;
  *)
    echo "usage: serve.sh start|stop|setup-hint" >&2
    exit 64
    ;;
esac
