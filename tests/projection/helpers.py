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
