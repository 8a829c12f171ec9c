"""A persistent, content-addressed translation cache in SQLite.

Key: SHA-256 of (model checksum, source language, target language, decoding settings, segment
text, device kind, compute type actually used). Changed settings, another model, or the same model
run in another precision (int8 vs float16) or on another device never hit stale entries. Each ``put_many`` commits, so a
run killed mid-way loses at most the batch in flight. WAL mode lets several readers share a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from xprep.hashing import stable_hash
from xprep.sqlite_shared import open_shared


def cache_key(
    model_checksum: str,
    src: str,
    tgt: str,
    settings: dict[str, Any],
    text: str,
    device: str = "cpu",
    compute_type: str = "",
) -> str:
    """The cache key of one segment translation. ``compute_type`` is the translator's resolved one
    (``translator.compute_type``, e.g. ``int8_float16``), never a request such as ``auto``."""
    return stable_hash(model_checksum, src, tgt, settings, text, device, compute_type)


class TranslationCache:
    """``key -> translation`` in an SQLite file; ``None`` path means an in-memory cache."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = open_shared(
            self.path, "CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, target TEXT NOT NULL)"
        )

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations among ``keys``."""
        found: dict[str, str] = {}
        for i in range(0, len(keys), 900):  # SQLite's bound-variable limit
            chunk = keys[i : i + 900]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT key, target FROM translations WHERE key IN ({marks})", chunk))
        return found

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        """Store ``(key, translation)`` pairs and commit."""
        self._db.executemany("INSERT OR REPLACE INTO translations (key, target) VALUES (?, ?)", items)
        self._db.commit()

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        self._db.close()
