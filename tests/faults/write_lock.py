"""Watch the server's single write lock from outside, to strike while a batch is being applied.

The server applies a batch inside one write transaction that holds its write lock from start to commit
(server/database.py `begin_write`: BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL). A probe
asks the database whether another connection holds that lock right now, without waiting for it, so a
test can tell how long applying a batch holds it, and kill the server half-way through the next one,
with no hook in the server.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from server.database import PG_WRITE_LOCK_KEY

PROBE_EVERY_S = 0.002
# An advisory lock on one bigint key shows in pg_locks as its high and low 32 bits.
PG_LOCK_HELD = text("""
    SELECT count(*) FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
      AND classid = :high AND objid = :low AND objsubid = 1
""")


class WriteLockProbe:
    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self._sqlite: sqlite3.Connection | None = None
        if url.get_backend_name() == "sqlite":
            self._sqlite = sqlite3.connect(str(url.database), timeout=0, isolation_level=None,
                                           check_same_thread=False)
        else:
            self._engine = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            self._pg = self._engine.connect()

    def held(self) -> bool:
        """Whether another connection holds the write lock now."""
        if self._sqlite is not None:
            try:
                self._sqlite.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    return True
                raise
            self._sqlite.execute("ROLLBACK")  # held for microseconds: a server that wants it waits a moment
            return False
        key = {"high": PG_WRITE_LOCK_KEY >> 32, "low": PG_WRITE_LOCK_KEY & 0xFFFFFFFF}
        return bool(self._pg.execute(PG_LOCK_HELD, key).scalar())

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        else:
            self._pg.close()
            self._engine.dispose()


class LockWatch:
    """Probe the lock from a thread; record how long each hold lasted; optionally act once a hold lasts long enough.

    `act_while` narrows when to act: only while it says yes (say, while a batch is at the server).
    """

    def __init__(self, probe: WriteLockProbe, act_after_s: float | None = None,
                 act: Callable[[], None] | None = None, act_while: Callable[[], bool] = lambda: True) -> None:
        self.probe, self.act_after_s, self.act, self.act_while = probe, act_after_s, act, act_while
        self.holds: list[float] = []
        self.acted = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> LockWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _watch(self) -> None:
        since: float | None = None
        while not self._stop.is_set():
            now = time.monotonic()
            held = self.probe.held()
            if held and since is None:
                since = now
            elif not held and since is not None:
                self.holds.append(now - since)
                since = None
            if (since is not None and self.act is not None and not self.acted.is_set()
                    and self.act_after_s is not None and now - since >= self.act_after_s and self.act_while()):
                self.act()
                self.acted.set()
            time.sleep(PROBE_EVERY_S)
