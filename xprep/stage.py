"""The stage protocol: ``run(records, ctx) -> records`` over an iterator, with counters and timing."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from xprep.records import Record


@dataclass
class Context:
    """What stages share in one build cell: event counters and per-stage wall time."""

    counters: Counter = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)

    def count(self, event: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``event`` (e.g. ``"dropped_lang_mismatch"``)."""
        self.counters[event] += n

    def timed(self, stage: str, records: Iterable[Record]) -> Iterator[Record]:
        """Wrap a record iterator so time spent producing it is charged to ``stage``."""
        it = iter(records)
        while True:
            t0 = time.perf_counter()
            try:
                rec = next(it)
            except StopIteration:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t0
                return
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t0
            yield rec


class Stage(Protocol):
    """A streaming step of a build. ``params`` go into the manifest."""

    name: str

    @property
    def params(self) -> dict: ...

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]: ...
