"""The ``exact`` projector for spans: find each separately translated answer in the translated context.

Occurrences are searched case-sensitively, then case-insensitively; when the answer occurs several
times, the occurrence whose relative position is closest to the source answer's is chosen. Tagging
records need word alignment (the ``align`` method); without one their projection fails with a reason.
"""

from __future__ import annotations

from typing import Any

from xprep.records import Record, SpanRecord, TaggingRecord


def _occurrences(haystack: str, needle: str) -> list[int]:
    out, pos = [], haystack.find(needle)
    while pos != -1:
        out.append(pos)
        pos = haystack.find(needle, pos + 1)
    return out


def locate(context: str, answer: str, relative_pos: float) -> int | None:
    """Start of ``answer`` in ``context`` nearest to ``relative_pos`` (0..1), or None."""
    if not answer.strip():
        return None
    for hay, needle in ((context, answer), (context.lower(), answer.lower())):
        hits = _occurrences(hay, needle)
        if hits:
            size = max(len(context), 1)
            return min(hits, key=lambda h: abs(h / size - relative_pos))
    return None


def project(src: Record, tgt: Record) -> dict[str, Any]:
    """Set the target's labels in place; return the ``meta.projection`` section."""
    if isinstance(tgt, SpanRecord) and isinstance(src, SpanRecord):
        if not src.answers:
            return {"method": "exact", "status": "not_needed", "reason": "unanswerable"}
        answers = []
        for s_ans, t_ans in zip(src.answers, tgt.answers, strict=True):
            start = locate(tgt.context, t_ans["text"], s_ans["start"] / max(len(src.context), 1))
            if start is None:
                tgt.answers = []
                return {
                    "method": "exact",
                    "status": "failed",
                    "reason": "answer_not_found_in_context",
                    "source_answers": src.answers,
                }
            answers.append({"text": tgt.context[start : start + len(t_ans["text"])], "start": start})
        tgt.answers = answers
        return {"method": "exact", "status": "projected", "answers": len(answers)}
    if isinstance(tgt, TaggingRecord) and isinstance(src, TaggingRecord):
        tgt.tags = []
        return {"method": "exact", "status": "failed", "reason": "tags_need_word_alignment", "source_tags": src.tags}
    return {"method": "none", "status": "not_needed"}
