"""Rate limits on the endpoints a stranger can call: passkey sign-in, enrolment-code
redemption, trainee passkey registration and check-in.

Each client address gets a number of requests per fixed window and action; the next one
is answered 429 `too_many_attempts` with Retry-After, before the view runs, so a refused
request changes nothing but its own count. Counts live in the database (`RateLimitHit`),
so every gunicorn worker and machine sees the same ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from server.errors import ApiError
from server.extensions import db
from server.models import RateLimitHit

F = TypeVar("F", bound=Callable[..., Any])

# Each action and the setting that holds its limit (requests per window; 0: no limit).
LIMITS = {
    "sign_in": "RATE_LIMIT_SIGN_IN",
    "enrolment": "RATE_LIMIT_ENROLMENT",
    "trainee_passkey": "RATE_LIMIT_TRAINEE_PASSKEY",
    "checkin": "RATE_LIMIT_CHECKIN",
}


def now_s() -> float:
    """The time windows are counted by; tests replace it to end a window without waiting."""
    return time.time()


def rate_limited(action: str) -> Callable[[F], F]:
    """Count each call of the view against `action`'s limit for the caller's address."""
    setting = LIMITS[action]

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            hold_back(action, current_app.config[setting])
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def hold_back(action: str, limit: int) -> None:
    """Count this request; refuse it when its address has used up `limit` in this window."""
    if limit <= 0:
        return
    window_s = int(current_app.config["RATE_LIMIT_WINDOW_S"])
    now = int(now_s())
    start = now - now % window_s
    if count_hit(action, request.remote_addr or "unknown", start, start + window_s, now) <= limit:
        return
    wait_s = start + window_s - now
    raise ApiError(429, "too_many_attempts", "too many attempts from this network: wait, then try again",
                   {"retry_after_s": wait_s}, headers={"Retry-After": str(wait_s)})


def count_hit(action: str, client: str, start_s: int, end_s: int, now: int) -> int:
    """Add one hit to the client's window and return the window's count, committed at once.

    Committed before the view runs, so a failed guess counts even though the view's own
    work is rolled back.
    """
    table = RateLimitHit.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    upsert = (insert(table)
              .values(action=action, client=client, window_start_s=start_s, window_end_s=end_s, hits=1)
              .on_conflict_do_update(index_elements=["action", "client", "window_start_s"],
                                     set_={"hits": table.c.hits + 1})
              .returning(table.c.hits))
    hits = int(db.session.execute(upsert).scalar_one())
    if hits == 1:
        # A new window began for this client: a cheap moment to drop every ended one.
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.window_end_s <= now))
    db.session.commit()
    return hits
