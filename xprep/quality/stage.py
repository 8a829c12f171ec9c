"""The checks stage of a translate chunk: every (source, translation) pair scored by the named checks.

Scores are only measured here; the driver decides flags (:mod:`xprep.quality.filter`). With a deferred
scorer (a process pool) the scores arrive later and the driver settles the chunk before reading it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xprep.chunk import Chunk, Scorer
from xprep.quality import checks
from xprep.records import Record


def score_inline(
    pairs: list[tuple[Record, Record]], names: list[str], options: checks.CheckOptions | None = None
) -> Callable[[], list[dict[str, Any]]]:
    """The default scorer: every check runs here, now."""
    values = checks.score_many(pairs, names, options)
    return lambda: values


@dataclass(frozen=True)
class Score:
    """Score the chunk's items with ``names`` (inline, or queued on ``scorer``)."""

    names: Sequence[str]
    options: checks.CheckOptions
    scorer: Scorer | None = None
    name: str = "score"

    def params(self) -> dict[str, Any]:
        return {"checks": list(self.names)}

    def run(self, chunk: Chunk) -> Chunk:
        result = chunk.result
        result.counters, result.mt_seconds = chunk.counters, chunk.mt_seconds
        pairs = [(item.src, item.tgt) for items in result.items.values() for item in items]
        result.pending = (self.scorer or score_inline)(pairs, list(self.names), self.options)
        if self.scorer is None:
            result.settle()
        return chunk
