"""The ``markers`` method (EasyProject-style): translate the answer's sentence with ``[`` ``]`` around the span.

Contexts are shared by many questions (SQuAD has about five a paragraph), so the plain context is
translated once, sentence by sentence (deduplicated and cached), and every question keeps that one
translated context. For each answer only the sentence(s) holding it are translated again with the
answer wrapped in markers: one extra MT segment per answer. The text between the markers is then
located in the same sentence(s) of the shared plain translation (exactly, else by fuzzy match).
Lost, unbalanced, duplicated or reordered markers are failures with that reason.
"""

from __future__ import annotations

from xprep.mt.segment import split_sentences

OPEN, CLOSE = "[", "]"


def marked_segment(context: str, start: int, end: int) -> tuple[str, int, int] | None:
    """The sentence(s) of ``context`` covering ``[start, end)`` with the span wrapped in markers.

    Returns (marked text, first sentence index, last sentence index), or None when the covering text
    already holds a marker character (the markers could not be told apart from the text).
    """
    sents = split_sentences(context) or []
    idx = [k for k, s in enumerate(sents) if s.start < end and s.end > start]
    if not idx:
        return None
    a, b = sents[idx[0]].start, sents[idx[-1]].end
    window = context[a:b]
    if OPEN in window or CLOSE in window:
        return None
    s, e = max(start, a) - a, min(end, b) - a
    return window[:s] + OPEN + window[s:e] + CLOSE + window[e:], idx[0], idx[-1]


def read_markers(translated: str) -> tuple[str | None, str | None]:
    """(text between the markers, None) or (None, failure reason) for a translated marked segment."""
    n_open, n_close = translated.count(OPEN), translated.count(CLOSE)
    if n_open == 0 and n_close == 0:
        return None, "markers_lost"
    if n_open != n_close:
        return None, "markers_unbalanced"
    if n_open > 1:
        return None, "markers_duplicated"
    i, j = translated.index(OPEN), translated.index(CLOSE)
    if j < i:
        return None, "markers_reordered"
    inner = translated[i + 1 : j].strip()
    return (inner, None) if inner else (None, "markers_empty")
