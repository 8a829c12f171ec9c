"""Open an SQLite file that several processes (Ray actors, parallel builds) share.

Switching a fresh file to WAL takes an exclusive lock, and SQLite answers ``database is locked`` at
once, without waiting out the busy timeout, when two connections race to do it on a new file. The
switch is therefore retried with backoff; once one connection has made the file WAL (the mode is
stored in the file), the others see it already set and skip the switch.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

_RETRIES = 12  # sleeps of 0.02 s doubling between tries: about 41 s in all, beyond any realistic contention


def _retry_locked(db: sqlite3.Connection, sql: str) -> list:
    """The rows of ``sql``, tried again while SQLite says the file is locked or busy; other errors raise."""
    for attempt in range(_RETRIES):
        try:
            return db.execute(sql).fetchall()
        except sqlite3.OperationalError as err:
            if ("locked" not in str(err) and "busy" not in str(err)) or attempt == _RETRIES - 1:
                raise
            time.sleep(0.02 * 2**attempt)
    return []  # not reached: the last try returns or raises


def open_shared(path: str | Path | None, schema: str, timeout: float = 60.0) -> sqlite3.Connection:
    """A connection to ``path`` (``None``: in memory) in WAL mode with ``schema`` (a CREATE TABLE IF
    NOT EXISTS statement) applied; safe when several processes open the same new file at once."""
    db = sqlite3.connect(str(path) if path else ":memory:", timeout=timeout, check_same_thread=False)
    if path and _retry_locked(db, "PRAGMA journal_mode")[0][0].lower() != "wal":
        _retry_locked(db, "PRAGMA journal_mode=WAL")
    _retry_locked(db, "PRAGMA synchronous=NORMAL")
    _retry_locked(db, schema)
    db.commit()
    return db
