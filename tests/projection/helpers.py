"""Shared test helpers for the projection tests."""

from __future__ import annotations

from typing import Any

from xprep.records import SpanRecord


def project_translated_tea(context: str, question: str, answer: str, lang: str) -> tuple[dict[str, Any], SpanRecord]:
    """``meta.projection`` and the translated record for *Tea reached England ...* translated into ``lang``
    (``answer``: the translated answer), projected with ``exact``."""
    from xprep.projection.chain import project_records

    src = SpanRecord(
        id="q",
        lang="en",
        context="Tea reached England in the seventeenth century.",
        question="Where did tea arrive?",
        answers=[{"text": "England", "start": 12}],
    )
    tgt = src.translated({"context": context, "question": question, "answers.0.text": answer}, lang)
    return project_records([(src, tgt, {}, {})], ["exact"], None)[0], tgt


def piece_owners(offsets: list[list[int]], spans: list[tuple[int, int]]) -> dict[int, set[int]]:
    """Per subword piece position, the word units it overlaps (what the encoder aligner pools it into)."""
    from xprep.projection.windows import piece_words

    owners: dict[int, set[int]] = {}
    for pos, k in piece_words(offsets, spans):
        owners.setdefault(pos, set()).add(k)
    return owners
