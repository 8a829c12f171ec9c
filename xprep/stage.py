"""The stage protocol: one step of a build over a chunk of records, with its parameters and counted events.

A stage has a ``name``, ``params()`` (the settings that change what it produces: what a manifest declares
and a configuration hash covers) and ``run(chunk)``, which returns the chunk with the stage's work done.
Stages never write or decide: they count what happened in :class:`Events` (an event, optionally with the
reason it happened), and the driver of a build sums the counts into the manifest. The translate build's
chunk stages live with their subject (``mt/stages.py``, ``projection/stage.py``, ``quality/stage.py``);
:mod:`xprep.stages` composes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

C = TypeVar("C")


class Events(Counter):
    """Counted events: ``add("failed", "all_methods_failed")`` counts ``failed:all_methods_failed``."""

    def add(self, event: str, reason: str | None = None, n: int = 1) -> None:
        self[f"{event}:{reason}" if reason else event] += n

    def by_reason(self, event: str) -> dict[str, int]:
        """The counts of ``event`` per reason (``{"all_methods_failed": 3}`` for ``failed:...``)."""
        prefix = f"{event}:"
        return {k[len(prefix) :]: v for k, v in self.items() if k.startswith(prefix)}


@runtime_checkable
class Stage(Protocol[C]):
    """One step over a chunk: named, parameterised, pure with respect to the output folder."""

    name: str

    def params(self) -> dict[str, Any]:
        """The settings that change what this stage produces (declared in manifests)."""
        ...

    def run(self, chunk: C) -> C:
        """The chunk with this stage's work done (counted events go into the chunk's :class:`Events`)."""
        ...


def run_stages(stages: Sequence[Stage[C]], chunk: C) -> C:
    """Run ``stages`` in order over ``chunk``."""
    for stage in stages:
        chunk = stage.run(chunk)
    return chunk
