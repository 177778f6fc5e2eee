#!/usr/bin/env bash
# ./ward up — Ward's main job end to end on this machine: install what is missing, start a local multi-node swarm,
# build the sample clinic's images, check and deploy examples/clinic/production.yaml, wait for convergence, and say
# where everything runs. A second run with everything in place finishes in well under a minute.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ward="$root/ward"
environment="$root/examples/clinic/production.yaml"
secrets="${CLINIC_SECRETS_DIR:-/var/lib/ward/clinic}"
started=$(date +%s)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "1/8 checking the machine (installs what is missing)"
"$root/scripts/setup.sh"

step "2/8 building Ward"
"$ward" --version >/dev/null
echo "ward: built"

step "3/8 starting the local cluster (a manager and two workers)"
"$ward" cluster up --workers 2

step "4/8 building the images from Debian packages: Ward's load balancer and the clinic's (cached)"
"$root/scripts/build-images.sh"

step "5/8 checking and deploying the clinic (production)"
mkdir -p "$secrets" && chmod 700 "$secrets"
if [[ ! -s "$secrets/db_password" ]]; then
  # A fresh random password, kept outside the repository; it reaches PostgreSQL as a Docker secret only.
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$secrets/db_password")
fi
export CLINIC_SECRETS_DIR="$secrets"
"$ward" check "$environment" --brief
"$ward" apply "$environment" --yes

step "6/8 the database's first backup (taken by its repository on worker-2, then checked by restoring it)"
"$ward" db backups "$environment" records --wait 300

step "7/8 starting the control plane (ward serve on http://127.0.0.1:8080)"
"$root/scripts/serve.sh" start

step "8/8 where it runs"
"$ward" status "$environment"
echo
echo "The clinic is served by the load balancer on the manager, 10.213.0.10 (ports 80 and 443), as https://clinic.example.org/"
echo "  from this machine:  curl -k --resolve clinic.example.org:443:10.213.0.10 https://clinic.example.org/"
echo "  in a browser:       add the line '10.213.0.10 clinic.example.org' to /etc/hosts, then open https://clinic.example.org/"
echo "  its certificate is from the load balancer's own authority (tls: internal); its root:"
echo "                      ./ward lb root clinic-prod > clinic-root.pem   (then trust that file, or accept the warning)"
echo "Open Ward's console: http://127.0.0.1:8080/  $("$root/scripts/serve.sh" setup-hint)"
echo "Undo everything: ./ward down"
echo "ward up took $(( $(date +%s) - started )) s"
