"""The projection stage of a translate chunk: labels carried onto the rejoined target records.

Each language's records are projected together (:func:`xprep.projection.chain.project_records`: lazy
alignment, each unique pair once); every record's outcome is counted as an event with its method or the
reason it failed, which the build's manifest reports under ``projection``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xprep.chunk import Chunk, Item
from xprep.projection.align import Aligner
from xprep.projection.chain import project_records
from xprep.projection.tags import TagPolicy
from xprep.stage import Events


@dataclass(frozen=True)
class Project:
    """Project span and tag labels with ``chain`` (and ``aligner`` where a method of it aligns)."""

    chain: Sequence[str]
    aligner: Aligner | None
    tag_policy: TagPolicy
    src_lang: str = "en"
    name: str = "project"

    def params(self) -> dict[str, Any]:
        return {"projection": list(self.chain)}

    def run(self, chunk: Chunk) -> Chunk:
        for lang in chunk.langs:
            built = chunk.built.get(lang, [])
            metas = project_records(
                [(b.src, b.tgt, b.offsets, b.extras) for b in built],
                self.chain,
                self.aligner,
                self.tag_policy.for_languages(self.src_lang, lang),
            )
            events, items = chunk.events(lang), chunk.result.items.setdefault(lang, [])
            for b, proj in zip(built, metas, strict=True):
                if proj.get("status") == "failed" and b.extras:
                    proj["marked_translations"] = b.extras  # a person can see how the markers came back
                b.tgt.meta["projection"] = proj
                b.tgt.meta["quality"] = {}
                count_outcome(events, proj)
                items.append(Item(b.src, b.tgt, b.mt_flags))
        return chunk


def count_outcome(events: Events, proj: dict[str, Any]) -> None:
    """One record's projection outcome: its status, the method that projected it, or why it failed."""
    events[proj["status"]] += 1
    if proj.get("status") == "projected":
        method = proj.get("method")
        events.add("method", method if isinstance(method, str) else "mixed")
    if proj.get("reason") and proj["status"] == "failed":
        events.add("failed", proj["reason"])
