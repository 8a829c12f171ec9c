"""A content-addressed cache of word alignments, beside the translation cache.

The key of a sentence pair is the sha256 of the aligner's identity (name, model, resolved layer,
method, algorithm version) and the two word lists; the value is its links and, from the encoder, the
pair's word similarities (int8, :mod:`xprep.projection.evidence`). A rebuild over a warm cache
aligns nothing it has aligned before, and never loads the encoder when every pair it needs is cached.
Aligners that learn from the corpus they are given (eflomal: its links depend on every other pair, and
it is stochastic) are not cached.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.projection.align import Aligner, Links, Pair
from xprep.projection.evidence import from_blob, to_blob
from xprep.sqlite_shared import open_shared


def identity(aligner: Aligner) -> str:
    """What decides an aligner's output, as one string: its name, model, layer as resolved (a default
    that moves changes the key), method, algorithm version, and for a local model folder its weights as
    they are on disk (a folder retuned in place, ``models align-tune --force``, keys anew)."""
    parts = {k: getattr(aligner, k, None) for k in ("name", "model", "layer", "method", "algorithm")}
    resolved = getattr(aligner, "resolved_layer", None)
    if callable(resolved):
        parts["layer"] = resolved()
    if isinstance(parts["model"], str) and Path(parts["model"]).is_dir():
        parts["weights"] = weights_stamp(Path(parts["model"]))
    return json.dumps(parts, sort_keys=True, default=str)


def weights_stamp(folder: Path) -> list[list]:
    """Name, size and modification time of each weight and config file of a model folder: cheap to read,
    and it changes whenever the weights are written again."""
    files = sorted(p for p in folder.iterdir() if p.suffix in {".safetensors", ".bin", ".json"} and p.is_file())
    return [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files]


def pair_key(ident: str, pair: Pair) -> str:
    """sha256 of the aligner's identity and one pair of word lists."""
    payload = json.dumps([ident, list(pair[0]), list(pair[1])], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# links as JSON pairs, similarities as int8 bytes (xprep.projection.evidence; empty: none). The table of
# files written before the similarities were kept ("links") is left in place and not read.
_TABLE = "alignments"
_SCHEMA = f"CREATE TABLE IF NOT EXISTS {_TABLE} (key TEXT PRIMARY KEY, links TEXT NOT NULL, scores BLOB NOT NULL)"


@dataclass
class CachedAligner:
    """``inner`` behind a SQLite cache at ``path``; counts ``hits`` and ``misses``."""

    inner: Any
    path: Path
    hits: int = 0
    misses: int = 0
    _db: sqlite3.Connection | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return str(self.inner.name)

    def __getattr__(self, attr: str) -> Any:  # model, layer, device ... of the wrapped aligner
        if attr.startswith("_") or attr == "inner":
            raise AttributeError(attr)
        return getattr(self.inner, attr)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Ray actors share one file: WAL, so readers never block
            self._db = open_shared(self.path, _SCHEMA)
        return self._db

    def align(self, pairs: Sequence[Pair]) -> list[Links]:
        """Links for every pair: cached ones read, the rest aligned in one call of ``inner`` and stored."""
        return [links for links, _ in self.align_scored(pairs)]

    def align_scored(self, pairs: Sequence[Pair]) -> list[tuple[Links, Any]]:
        """Links and word similarities (None from an aligner that gives none) for every pair, as
        :meth:`align`; an entry whose similarities do not fit its pair is aligned again."""
        ident = identity(self.inner)
        keys = [pair_key(ident, p) for p in pairs]
        shapes = {key: (len(p[0]), len(p[1])) for key, p in zip(keys, pairs, strict=True)}
        scored = hasattr(self.inner, "align_scored")
        db = self._conn()
        found: dict[str, tuple[Links, Any]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            query = f"SELECT key, links, scores FROM {_TABLE} WHERE key IN ({','.join('?' * len(chunk))})"
            for key, links, blob in db.execute(query, chunk):
                matrix = from_blob(blob, *shapes[key])
                if blob and matrix is None:
                    continue  # damaged or of another shape: aligned again
                found[key] = ({(int(i), int(j)) for i, j in json.loads(links)}, matrix)
        todo = [k for k, key in enumerate(keys) if key not in found]
        self.hits += len(pairs) - len(todo)
        self.misses += len(todo)
        if todo:
            batch = [pairs[k] for k in todo]
            new = self.inner.align_scored(batch) if scored else [(lk, None) for lk in self.inner.align(batch)]
            with db:
                db.executemany(
                    f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?)",
                    [(keys[k], json.dumps(sorted(lk)), to_blob(m)) for k, (lk, m) in zip(todo, new, strict=True)],
                )
            found.update({keys[k]: item for k, item in zip(todo, new, strict=True)})
        return [found[key] for key in keys]
