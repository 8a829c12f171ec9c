"""What a loader leaves out of a release file, and why: counted, never silent.

A loader yields :class:`Dropped` in place of a record it cannot keep (a row with no gold label, a question
whose answer is not in its paragraph, a repeated id); :func:`xprep.io.parsed` counts them by reason into
the caller's ``Counter`` and the build writes that count into its manifest (``dropped_at_load``).
:func:`repair_answers` handles the answer offsets real SQuAD-style releases get wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dropped:
    """A row a loader read and did not keep, with the reason (``no_gold_label``, ``duplicate_id``...);
    with ``kept=True`` a repair the loader made to the record that follows (``answer_start_relocated``)."""

    reason: str
    id: str | None = None
    kept: bool = False

    @property
    def key(self) -> str:
        """The counter key: ``dropped:REASON`` or ``repaired:REASON``."""
        return f"{'repaired' if self.kept else 'dropped'}:{self.reason}"


def split_counts(counts: Counter) -> dict[str, dict[str, int]]:
    """``{"dropped": {reason: n}, "repaired": {reason: n}}`` from a loader's counter (for manifests)."""
    out: dict[str, dict[str, int]] = {"dropped": {}, "repaired": {}}
    for key, n in sorted(counts.items()):
        group, _, reason = key.partition(":")
        out.setdefault(group, {})[reason] = n
    return out


def repair_answers(context: str, answers: Sequence[dict[str, Any]], events: Counter) -> list[dict[str, Any]]:
    """Answers whose ``start`` points at their text in ``context``: a wrong or missing offset (CMRC 2018
    has ``answer_start: -1``) is replaced by the occurrence of the text nearest to it (or the first);
    an answer whose text is not in the context is left out. Each repair or loss is counted in ``events``."""
    out = []
    for ans in answers:
        text, start = ans["text"], ans["start"]
        if isinstance(start, int) and start >= 0 and context[start : start + len(text)] == text:
            out.append(ans)
            continue
        hits = _occurrences(context, text) if text else []
        if not hits:
            events["answer_not_in_context"] += 1
            continue
        anchor = start if isinstance(start, int) and start >= 0 else 0
        events["answer_start_relocated"] += 1
        out.append({**ans, "start": min(hits, key=lambda h: (abs(h - anchor), h))})
    return out


def _occurrences(context: str, text: str) -> list[int]:
    hits, pos = [], context.find(text)
    while pos >= 0:
        hits.append(pos)
        pos = context.find(text, pos + 1)
    return hits
