#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests.
#
#   scripts/postgres.sh start [DIR]   start a cluster in DIR (default: a new temp dir);
#                                     prints its SQLAlchemy URL on stdout, nothing else
#   scripts/postgres.sh stop DIR      stop it and remove DIR
#
# Trap-friendly use: make the directory first, arm the trap, then start, so the
# trap cleans up even when start fails halfway:
#
#   dir="$(mktemp -d)"; trap 'scripts/postgres.sh stop "$dir"' EXIT
#   url="$(scripts/postgres.sh start "$dir")"
#
# The cluster trusts every connection: it listens on 127.0.0.1 only, its socket
# sits in a private directory, and it is thrown away when the tests end.
set -euo pipefail

MARKER=.fieldroll-test-cluster
DB_NAME=fieldroll_test
START_TIMEOUT_S=30

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

# The newest PostgreSQL installed from Debian's packages.
find_bindir() {
  local initdb
  initdb="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)"
  if [[ -z $initdb ]] && command -v initdb >/dev/null; then
    initdb="$(command -v initdb)"
  fi
  [[ -n $initdb ]] || fail "PostgreSQL not found; install it with: apt-get install -y postgresql"
  dirname "$initdb"
}

# PostgreSQL refuses to run as root, so root runs it as the postgres user.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

ensure_pg_user() {
  [[ $(id -u) -eq 0 ]] || return 0
  id postgres >/dev/null 2>&1 && return 0
  log "creating system user postgres"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin postgres || fail "could not create the postgres user"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pick_locale() {
  # C.UTF-8 keeps upper()/lower() right for Vietnamese names; plain C does not.
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then echo C.UTF-8; else echo C; fi
}

show_log() {
  local dir=$1
  [[ -f $dir/server.log ]] && tail -n 20 "$dir/server.log" >&2
  return 0
}

on_start_exit() {
  local rc=$?
  rm -f "$START_DIR/start.pid"
  # Nobody else knows a directory this script made itself: clean it up on failure.
  if ((rc != 0 && START_OWN_DIR)); then
    cmd_stop "$START_DIR" >/dev/null 2>&1 || true
  fi
}

cmd_start() {
  local dir=${1:-} own_dir=0
  local bindir port url
  bindir="$(find_bindir)"
  ensure_pg_user

  if [[ -z $dir ]]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/fieldroll-pg.XXXXXX")"
    own_dir=1
  else
    mkdir -p "$dir"
    [[ -z $(ls -A "$dir") ]] || fail "$dir is not empty"
  fi
  dir="$(cd "$dir" && pwd)"
  touch "$dir/$MARKER"
  # While this file names a live process, a stop first waits for that start to end.
  echo "$$" >"$dir/start.pid"
  START_DIR=$dir START_OWN_DIR=$own_dir
  trap on_start_exit EXIT
  # On a signal, let the current step (initdb, pg_ctl) finish, then exit cleanly.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  chmod 700 "$dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
  as_pg test -w "$dir" || fail "user postgres cannot write to $dir (is a parent directory private?)"

  if ! as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale="$(pick_locale)" >"$dir/initdb.log" 2>&1; then
    tail -n 20 "$dir/initdb.log" >&2
    fail "initdb failed"
  fi
  # Loopback only; a local socket only in this private directory.
  cat >"$dir/data/pg_hba.conf" <<'EOF'
local all all              trust
host  all all 127.0.0.1/32 trust
host  all all ::1/128      trust
EOF

  # A free port can be taken between choosing it and binding it: try a few.
  local attempt started=0
  for attempt in 1 2 3; do
    port="$(free_port)"
    # Durability is pointless for a throwaway cluster; skipping it makes tests faster.
    if as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$START_TIMEOUT_S" \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -k '$dir' -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off" start >/dev/null 2>&1; then
      started=1
      break
    fi
    log "start attempt $attempt on port $port failed"
  done
  if ((started == 0)); then
    show_log "$dir"
    fail "PostgreSQL did not start; log: $dir/server.log"
  fi

  local waited=0
  until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
    ((waited++ < START_TIMEOUT_S)) || {
      show_log "$dir"
      fail "PostgreSQL on port $port not ready after ${START_TIMEOUT_S}s"
    }
    sleep 1
  done

  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME" \
    || fail "could not create database $DB_NAME"

  url="postgresql+psycopg://postgres@127.0.0.1:$port/$DB_NAME"
  printf '%s\n' "$url" >"$dir/url"
  if ((own_dir)); then
    log "started in $dir; stop with: scripts/postgres.sh stop $dir"
  fi
  printf '%s\n' "$url"
}

cmd_stop() {
  local dir=${1:-}
  [[ -n $dir ]] || fail "usage: $0 stop DIR"
  [[ -d $dir ]] || return 0
  # Refuse to delete anything this script did not make.
  if [[ ! -e $dir/$MARKER && -n $(ls -A "$dir") ]]; then
    fail "$dir is not a test cluster made by this script; not removing it"
  fi
  # A stop that races a start (say a trap fired during initdb) stops the start first.
  local start_pid waited=0
  start_pid="$(cat "$dir/start.pid" 2>/dev/null || true)"
  if [[ -n $start_pid && $start_pid != "$$" ]] && kill -0 "$start_pid" 2>/dev/null; then
    kill -TERM "$start_pid" 2>/dev/null || true
    while kill -0 "$start_pid" 2>/dev/null && ((waited++ < 2 * START_TIMEOUT_S)); do
      sleep 1
    done
  fi
  if [[ -f $dir/data/postmaster.pid ]]; then
    local bindir
    bindir="$(find_bindir)"
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 \
      || log "warning: could not stop the server in $dir"
  fi
  rm -rf -- "$dir"
}

case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  *)
    echo "usage: $0 start [DIR] | stop DIR" >&2
    exit 2
    ;;
esac
