"""Several processes opening one new cache file at once (Ray actors starting together) all succeed."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest

from xprep.mt.cache import TranslationCache
from xprep.sqlite_shared import open_shared

SCHEMA = "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT NOT NULL)"


def _open_and_write(path: str, barrier: object, n: int) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    cache = TranslationCache(path)
    cache.put_many([(f"k{n}", f"v{n}")])
    cache.close()


def test_processes_racing_on_a_new_file_all_open_it(tmp_path: Path) -> None:
    path = str(tmp_path / "cache.sqlite")
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(6)
    procs = [ctx.Process(target=_open_and_write, args=(path, barrier, n)) for n in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 6
    cache = TranslationCache(path)
    assert len(cache) == 6
    assert cache.get_many(["k0", "k5"]) == {"k0": "v0", "k5": "v5"}


def test_the_file_is_left_in_wal_mode_and_in_memory_works(tmp_path: Path) -> None:
    db = open_shared(tmp_path / "x.sqlite", SCHEMA)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    mem = open_shared(None, SCHEMA)
    mem.execute("INSERT INTO t VALUES ('a', 'b')")
    assert mem.execute("SELECT v FROM t").fetchall() == [("b",)]


def test_other_errors_are_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleep(seconds: float) -> None:
        raise AssertionError("a syntax error was retried")

    monkeypatch.setattr("xprep.sqlite_shared.time.sleep", no_sleep)
    with pytest.raises(sqlite3.OperationalError, match="incomplete|syntax"):
        open_shared(tmp_path / "y.sqlite", "CREATE TABLE oops (")
