"""The ``exact`` method for spans: find the separately translated answer in the translated context.

Occurrences are searched case-sensitively, then case-insensitively (offsets kept:
:func:`xprep.text.fold_case`); when the answer occurs several times, the occurrence whose relative position
is closest to the source answer's is chosen.
"""

from __future__ import annotations

from xprep.text import fold_case


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
    for hay, needle in ((context, answer), (fold_case(context), fold_case(answer))):
        hits = _occurrences(hay, needle)
        if hits:
            size = max(len(context), 1)
            return min(hits, key=lambda h: abs(h / size - relative_pos))
    return None
