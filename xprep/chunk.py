"""What a chunk of a translate build carries from stage to stage, and what comes back to the driver.

:class:`Chunk` is the state the chunk stages fill in turn (segments and MT requests, translations, the
rejoined target records per language, the items with their ``meta``); :class:`ChunkResult` is what an
executor hands the driver (items per language, counted events per language, the engine's counters),
serialisable for Ray.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xprep.mt.engine import Translation
from xprep.quality import checks
from xprep.records import Record, record_from_dict
from xprep.stage import Events


@dataclass
class Item:
    """One translated record with its ``meta`` (source, translation, projection, quality scores)."""

    src: Record
    tgt: Record
    mt_flags: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"src": self.src.to_dict(), "tgt": self.tgt.to_dict(), "mt_flags": self.mt_flags}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        return cls(record_from_dict(data["src"]), record_from_dict(data["tgt"]), list(data["mt_flags"]))


# Scores (src, tgt) pairs with the named checks; returns a callable that waits for the values, in order.
Scorer = Callable[[list[tuple[Record, Record]], list[str], checks.CheckOptions], Callable[[], list[dict[str, Any]]]]


@dataclass
class ChunkResult:
    """Items per language, projection events per language, and the engine's counters for this chunk.

    With a deferred scorer the quality scores arrive later: :meth:`settle` waits for them and must run
    before the items are read (executors settle before they hand a result to the driver).
    """

    items: dict[str, list[Item]] = field(default_factory=dict)
    events: dict[str, Counter] = field(default_factory=dict)
    counters: Counter = field(default_factory=Counter)
    mt_seconds: float = 0.0
    pending: Callable[[], list[dict[str, Any]]] | None = None
    settled: bool = False

    def settle(self) -> ChunkResult:
        """Put the quality scores into the items (in the order they were scored) and check each record."""
        if self.settled:
            return self
        if self.pending is not None:
            values = iter(self.pending())
            for items in self.items.values():
                for item in items:
                    item.tgt.meta["quality"] = next(values)
            self.pending = None
        for items in self.items.values():
            for item in items:
                problems = item.tgt.check()
                if problems:  # a bug upstream, never the user's input: keep it visible
                    raise RuntimeError(f"translated record {item.tgt.id} is invalid: {problems}")
        self.settled = True
        return self

    def to_dict(self) -> dict[str, Any]:
        if self.pending is not None:
            raise RuntimeError("settle() a chunk result before serialising it")
        return {
            "items": {k: [i.to_dict() for i in v] for k, v in self.items.items()},
            "events": {k: dict(v) for k, v in self.events.items()},
            "counters": dict(self.counters),
            "mt_seconds": self.mt_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChunkResult:
        return cls(
            {k: [Item.from_dict(i) for i in v] for k, v in data["items"].items()},
            {k: Events(v) for k, v in data["events"].items()},
            Counter(data["counters"]),
            float(data["mt_seconds"]),
            settled=True,  # only a settled result is serialised
        )


@dataclass
class Built:
    """One source record and its rejoined translation in one language, before projection."""

    src: Record
    tgt: Record
    offsets: dict[str, list[tuple[int, int]]]  # target sentence offsets per field path
    mt_flags: list[str]
    extras: dict[str, str]  # extra translations (the marked segments ``markers.i``)


@dataclass
class Chunk:
    """One chunk of source records on its way through the stages (each stage fills its part)."""

    records: list[Record]
    langs: list[str]
    layout: list[list[tuple[str, list[str], list[str]]]] = field(default_factory=list)  # per record: (path, segs, gaps)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (segment, language) in order
    answers_translated: bool = False
    translations: list[Translation] = field(default_factory=list)
    counters: Counter = field(default_factory=Counter)  # the engine's counters for this chunk
    mt_seconds: float = 0.0
    built: dict[str, list[Built]] = field(default_factory=dict)
    result: ChunkResult = field(default_factory=lambda: ChunkResult())

    def events(self, lang: str) -> Events:
        return self.result.events.setdefault(lang, Events())  # type: ignore[return-value]
