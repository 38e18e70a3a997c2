# shellcheck shell=bash
# Shared shell helpers for scripts/*.sh. Source it from the repository root:
#   source scripts/lib.sh
# Every function is idempotent: a second run checks and returns quickly.

# Print a short section header, so a long CI log can be skimmed.
section() {
  printf '\n==> %s\n' "$*"
}

# Print an error to stderr.
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Run a noisy command quietly; show its output only if it fails.
quietly() {
  local log
  log="$(mktemp "${TMPDIR:-/tmp}/fieldroll-log.XXXXXX")"
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
  else
    local rc=$?
    tail -n 40 "$log" >&2
    rm -f "$log"
    printf 'error: command failed (exit %s): %s\n' "$rc" "$*" >&2
    return "$rc"
  fi
}

_have_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

# Install the Debian packages the full test suite needs (PostgreSQL for the
# database tests, Chromium for the browser tests, poppler-utils' pdftotext to read
# the attendance-sheet PDFs back, and the DejaVu fonts the server draws them in),
# only those that are missing.
ensure_apt_packages() {
  local missing=()
  _have_postgres || missing+=(postgresql)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
  if ((${#missing[@]} == 0)); then
    echo "system packages: present"
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]}; install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  command -v apt-get >/dev/null || die "missing ${missing[*]} and apt-get is not available to install them"
  echo "system packages: installing ${missing[*]}"
  # Noninteractive: CI has no stdin, and a debconf prompt would hang the run.
  export DEBIAN_FRONTEND=noninteractive
  quietly apt-get -q update
  quietly apt-get install -y -q -o Dpkg::Use-Pty=0 "${missing[@]}"
  _have_postgres || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
  [[ -x /usr/bin/chromium ]] || die "chromium installed but /usr/bin/chromium not found"
  command -v pdftotext >/dev/null || die "poppler-utils installed but pdftotext not found"
}

# A fingerprint of what the editable install depends on: the package metadata
# and the set of top-level packages (setuptools maps those at install time).
_venv_fingerprint() {
  {
    cat pyproject.toml
    ls -d -- */__init__.py 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}

# Create .venv and install the package with its test extras. Skips pip when
# nothing it depends on has changed since the last successful install.
ensure_venv() {
  local stamp=.venv/.fieldroll-installed fingerprint
  if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
    command -v python3 >/dev/null || die "python3 not found; FieldRoll needs Python 3.11 or newer"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || die "$(python3 --version 2>&1) is too old; FieldRoll needs Python 3.11 or newer"
    echo "python: creating .venv"
    rm -rf .venv
    if ! python3 -m venv .venv 2>/dev/null; then
      # Debian's own python3 ships venv support in a separate package.
      rm -rf .venv
      if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "python: installing python3-venv"
        export DEBIAN_FRONTEND=noninteractive
        quietly apt-get -q update
        quietly apt-get install -y -q -o Dpkg::Use-Pty=0 python3-venv
        python3 -m venv .venv || die "could not create .venv"
      else
        die "python3 -m venv failed; on Debian install python3-venv"
      fi
    fi
  fi
  fingerprint="$(_venv_fingerprint)"
  if [[ -f $stamp && $(<"$stamp") == "$fingerprint" ]]; then
    echo "python: .venv up to date"
    return 0
  fi
  echo "python: installing fieldroll[test] into .venv"
  rm -f "$stamp"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  quietly .venv/bin/pip install --no-input -e '.[test]'
  printf '%s\n' "$fingerprint" >"$stamp"
}

# Install and build the PWA, once pwa/package.json exists.
ensure_pwa() {
  [[ -f pwa/package.json ]] || return 0
  command -v npm >/dev/null || die "pwa/ needs Node.js and npm (Node 20 or newer)"
  # Only npm's registry is reachable: browser test libraries must use the
  # system Chromium, never download a browser of their own during install.
  export PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  local stamp=pwa/node_modules/.fieldroll-installed fingerprint
  fingerprint="$(cat pwa/package.json pwa/package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [[ -f $stamp && $(<"$stamp") == "$fingerprint" ]]; then
    echo "pwa: node_modules up to date"
  elif [[ -f pwa/package-lock.json ]]; then
    echo "pwa: npm ci"
    (cd pwa && npm ci --no-audit --no-fund --loglevel=error)
    mkdir -p pwa/node_modules # npm makes none when there are no dependencies
    printf '%s\n' "$fingerprint" >"$stamp"
  else
    echo "pwa: no package-lock.json, falling back to npm install (commit the lock file)" >&2
    (cd pwa && npm install --no-audit --no-fund --loglevel=error)
    mkdir -p pwa/node_modules
    printf '%s\n' "$fingerprint" >"$stamp"
  fi
  echo "pwa: npm run build"
  (cd pwa && npm run build --if-present)
}
