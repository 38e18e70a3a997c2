"""Settings: defaults here, overridden from the environment (FIELDROLL_*)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

INSTANCE_DIR = Path(os.environ.get("FIELDROLL_INSTANCE_DIR", Path.cwd() / "instance"))
REPO_DIR = Path(__file__).resolve().parent.parent


def database_url(environ: Mapping[str, str]) -> str:
    """Pick the database: FIELDROLL_DATABASE_URL, else DATABASE_URL (as hosts set it), else SQLite."""
    url = environ.get("FIELDROLL_DATABASE_URL") or environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'fieldroll.sqlite'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the dialect and driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("FIELDROLL_SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ)
    # hide_parameters: SQL errors must never carry trainees' names or phone numbers into logs.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True, "hide_parameters": True}
    # A 2G link drops long requests: a request body is capped (compressed and inflated),
    # and clients send a few hundred ops at a time.
    MAX_CONTENT_LENGTH = _int("FIELDROLL_MAX_REQUEST_BYTES", 1024 * 1024)
    MAX_INFLATED_REQUEST_BYTES = _int("FIELDROLL_MAX_INFLATED_REQUEST_BYTES", 4 * 1024 * 1024)
    MAX_OPS_PER_REQUEST = _int("FIELDROLL_MAX_OPS_PER_REQUEST", 1000)
    DEFAULT_PULL_LIMIT = 500
    MAX_PULL_LIMIT = 2000
    ENROLMENT_CODE_TTL_S = _int("FIELDROLL_ENROLMENT_CODE_TTL_S", 7 * 24 * 3600)
    GZIP_MIN_RESPONSE_BYTES = 256
    # A trainer offline for days saves more than one sync's worth of ops to a file; the cap
    # keeps one upload from holding the write lock for long.
    MAX_OPS_PER_OUTBOX_FILE = 10_000
    # Session secrets for check-in tokens are derived from this key (docs/checkin.md);
    # changing it makes every check-in code already shown on a phone invalid.
    CHECKIN_SECRET_KEY = os.environ.get("FIELDROLL_CHECKIN_SECRET_KEY") or f"checkin:{SECRET_KEY}"
    # WebAuthn: the relying party is the host the app is served from, unless set here.
    WEBAUTHN_RP_ID = os.environ.get("FIELDROLL_WEBAUTHN_RP_ID")
    WEBAUTHN_RP_NAME = "FieldRoll"
    WEBAUTHN_ORIGINS = tuple(o for o in os.environ.get("FIELDROLL_WEBAUTHN_ORIGINS", "").split(",") if o)
    WEBAUTHN_CEREMONY_TTL_S = 5 * 60
    # Imports of trainee lists (server/transfers): a file and its rows are capped, so one
    # upload cannot hold the write lock for long.
    IMPORT_MAX_FILE_BYTES = _int("FIELDROLL_IMPORT_MAX_FILE_BYTES", 2 * 1024 * 1024)
    IMPORT_MAX_ROWS = _int("FIELDROLL_IMPORT_MAX_ROWS", 5000)
    # The attendance sheet's Unicode TrueType fonts (Debian's fonts-dejavu-core by default).
    PDF_FONT = os.environ.get("FIELDROLL_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    PDF_FONT_BOLD = os.environ.get("FIELDROLL_PDF_FONT_BOLD", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    # The built PWA (npm run build --prefix pwa), served at / by server/app_shell.py.
    PWA_DIST_DIR = os.environ.get("FIELDROLL_PWA_DIST_DIR", str(REPO_DIR / "pwa" / "dist"))
    # Web push (docs/dashboard.md §7): the VAPID key pair comes from the environment, else
    # from the file `fieldroll vapid` writes; with neither, push is off and syncs never try.
    VAPID_PRIVATE_KEY = os.environ.get("FIELDROLL_VAPID_PRIVATE_KEY")
    VAPID_PUBLIC_KEY = os.environ.get("FIELDROLL_VAPID_PUBLIC_KEY")
    VAPID_KEY_FILE = os.environ.get("FIELDROLL_VAPID_KEY_FILE", str(INSTANCE_DIR / "vapid_private.pem"))
    # Push services (Apple's above all) refuse a subject that is not a real mailto: or https: URL.
    VAPID_SUBJECT = os.environ.get("FIELDROLL_VAPID_SUBJECT", "mailto:admin@fieldroll.invalid")
    # The server POSTs to the endpoint a browser hands it: only to these push services
    # (host or parent domain) and only over HTTPS, so a device cannot aim it elsewhere.
    PUSH_SERVICE_HOSTS = tuple(h for h in os.environ.get(
        "FIELDROLL_PUSH_SERVICE_HOSTS",
        "fcm.googleapis.com,updates.push.services.mozilla.com,push.apple.com,notify.windows.com").split(",") if h)
    PUSH_ALLOW_PLAIN_HTTP = False
    PUSH_MIN_INTERVAL_S = 60
    # A trainer's phone is often out of signal for days: the push service keeps the message that long.
    PUSH_TTL_S = 3 * 24 * 3600
    PUSH_TIMEOUT_S = 5
    # Send after the sync's answer has left, so a slow push service never slows a sync.
    PUSH_SEND_AFTER_RESPONSE = True
    # How many reverse proxies stand in front (docs/operations.md): their X-Forwarded-For and
    # X-Forwarded-Proto are believed only then, since a client could forge them. 0: no proxy.
    TRUSTED_PROXIES = _int("FIELDROLL_TRUSTED_PROXIES", 0)
    # Rate limits (server/rate_limits.py): requests per client address per fixed window, for
    # the endpoints a stranger can call. A whole class behind one village hotspot shares an
    # address, so check-in's limit is wide. 0 turns a limit off.
    RATE_LIMIT_WINDOW_S = _int("FIELDROLL_RATE_LIMIT_WINDOW_S", 10 * 60)
    RATE_LIMIT_SIGN_IN = _int("FIELDROLL_RATE_LIMIT_SIGN_IN", 30)
    RATE_LIMIT_ENROLMENT = _int("FIELDROLL_RATE_LIMIT_ENROLMENT", 30)
    RATE_LIMIT_TRAINEE_PASSKEY = _int("FIELDROLL_RATE_LIMIT_TRAINEE_PASSKEY", 120)
    RATE_LIMIT_CHECKIN = _int("FIELDROLL_RATE_LIMIT_CHECKIN", 600)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("FIELDROLL_TEST_DATABASE_URL", "sqlite://")
    # No push unless a test gives keys: never the developer's own instance/vapid_private.pem.
    VAPID_PRIVATE_KEY = VAPID_PUBLIC_KEY = None
    VAPID_KEY_FILE = ""
