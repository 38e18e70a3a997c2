#!/usr/bin/env bash
# Install everything and run every check: ruff, mypy, pytest (SQLite and a
# throwaway PostgreSQL), and the PWA's own tests once pwa/ exists.
# Arguments go to pytest, e.g.  scripts/test.sh -m "not browser" -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

section "System packages"
ensure_apt_packages

section "Python environment"
ensure_venv

if [[ -f pwa/package.json ]]; then
  section "PWA build"
  ensure_pwa
fi

section "PostgreSQL"
pg_dir=""
stop_postgres() {
  if [[ -n $pg_dir ]]; then
    bash scripts/postgres.sh stop "$pg_dir" || true
  fi
}
trap stop_postgres EXIT
# Turn Ctrl-C and kill into a normal exit so the EXIT trap stops the server.
trap 'exit 130' INT
trap 'exit 143' TERM
if [[ -n ${FIELDROLL_TEST_DATABASE_URL:-} ]]; then
  echo "using FIELDROLL_TEST_DATABASE_URL from the environment"
else
  pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/fieldroll-pg.XXXXXX")"
  FIELDROLL_TEST_DATABASE_URL="$(bash scripts/postgres.sh start "$pg_dir")"
  echo "started $FIELDROLL_TEST_DATABASE_URL"
fi
export FIELDROLL_TEST_DATABASE_URL

# Run every check even after one fails, so one run shows every problem.
failed=()

section "ruff"
.venv/bin/ruff check . || failed+=(ruff)

section "mypy"
.venv/bin/mypy || failed+=(mypy)

section "pytest"
rc=0
.venv/bin/pytest "$@" || rc=$?
if ((rc == 5)); then
  echo "error: pytest collected no tests; a test run that tests nothing must not pass" >&2
  failed+=(pytest)
elif ((rc != 0)); then
  failed+=(pytest)
fi

if [[ -f pwa/package.json ]] \
  && node -e 'process.exit(require("./pwa/package.json").scripts?.test ? 0 : 1)'; then
  section "PWA tests"
  npm test --prefix pwa || failed+=("pwa tests")
fi

if ((${#failed[@]})); then
  echo
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
