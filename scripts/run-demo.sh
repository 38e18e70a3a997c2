#!/usr/bin/env bash
# Install everything and start FieldRoll with demo data on SQLite: no database
# server or system packages needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

section "Python environment"
ensure_venv

if [[ -f pwa/package.json ]]; then
  section "PWA build"
  ensure_pwa
fi

section "Database"
mkdir -p instance
export FIELDROLL_DATABASE_URL="${FIELDROLL_DATABASE_URL:-sqlite:///$PWD/instance/fieldroll.sqlite}"
echo "database: $FIELDROLL_DATABASE_URL"
.venv/bin/fieldroll init-db
# Push notifications need a VAPID key pair; an existing one is kept.
.venv/bin/fieldroll vapid

# gunicorn.conf.py binds FIELDROLL_BIND, else 0.0.0.0:$PORT.
port="${PORT:-8000}"
if [[ -n ${FIELDROLL_BIND:-} ]]; then port="${FIELDROLL_BIND##*:}"; fi

section "Demo data"
.venv/bin/fieldroll demo --link "http://localhost:${port}"

echo
echo "FieldRoll is running at http://localhost:${port}/"
echo "Open a trainer's link above (e.g. tuan.trainer) to enrol that browser as their phone."
echo "(Ctrl-C to stop)"
echo
exec .venv/bin/gunicorn -c config/gunicorn.conf.py "server:create_app()"
