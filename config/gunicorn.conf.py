"""Gunicorn settings for FieldRoll: `gunicorn -c config/gunicorn.conf.py "server:create_app()"`.

Every value can be tuned from the environment, so one file serves a laptop demo and a
production host behind a reverse proxy.
"""

import os


def _cpu_count() -> int:
    # The CPUs this process may use, which in a container can be fewer than the host has.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number, not {value!r}") from None


MAX_DEFAULT_WORKERS = 8

# FIELDROLL_BIND wins; PORT is what most hosting platforms set.
bind = os.environ.get("FIELDROLL_BIND") or f"0.0.0.0:{_env_int('PORT', 8000)}"

# The server keeps no state between requests, so workers scale freely. The usual
# 2 * CPUs + 1, capped because each worker holds its own database connection pool.
workers = _env_int("WEB_CONCURRENCY", min(2 * _cpu_count() + 1, MAX_DEFAULT_WORKERS))

# Threads let a worker keep serving while one request waits on the database or a
# slow phone connection on a mountain 3G link.
worker_class = "gthread"
threads = 4

# A sync batch is bounded (MAX_OPS_PER_REQUEST), so a minute is ample; a request stuck
# longer than that is a bug, and the worker is restarted.
timeout = 60
# Time for in-flight syncs to finish on deploy or restart before workers are killed.
graceful_timeout = 30
# Phones sync in bursts of a few requests; reuse the connection between them. The idle
# time starts when the server has written its answer, and on 2G a sync answer takes
# seconds more to reach the phone: at 5 s the server closed connections the phone was
# about to reuse, costing a trainer's day a third round trip. Idle connections wait in
# the gthread worker's poller, not in a thread, so a longer wait is cheap.
keepalive = 30

# Recycle workers now and then so a slow leak can never take the server down;
# the jitter keeps all workers from restarting at the same moment.
max_requests = 2000
max_requests_jitter = 200

# Load the app in each worker, not in the master: each worker then opens its own
# database connections (SQLAlchemy pools must not be shared across fork) and a
# code reload only needs a HUP.
preload_app = False

# Logs go to stdout and stderr for the process manager or container runtime to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("FIELDROLL_LOG_LEVEL", "info")
# Privacy: log the path (%(U)s) but never the query string, the referer or the
# authenticated user, any of which could carry a trainee's name or phone number.
# URLs must carry ids, never personal data, so that the path is safe to log.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# Requests are small: the sync API sends its data in the body, so a long request
# line or header is a mistake or an attack. These are Gunicorn's defaults, written
# out so that they are a decision rather than an accident.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
