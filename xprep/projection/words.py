"""Word units for alignment, with character offsets (the splitters themselves live in :mod:`xprep.text`).

``words``: script-aware word units (grapheme clusters never split; dictionary words for Thai, Lao, Khmer,
Myanmar and CJK where ICU is installed); ``graphemes``: the same, with grapheme clusters for the scripts
written without spaces (character-level alignment of CJK); ``whitespace``: whitespace-separated tokens,
punctuation attached (the plain tokenisation of the reference baseline, kept for comparisons).
"""

from __future__ import annotations

import re
from functools import partial

from xprep.text import is_unspaced, word_spans, words

__all__ = ["UNITS", "covered", "is_unspaced", "whitespace_spans", "word_spans", "words"]


def whitespace_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each whitespace-separated token (punctuation stays attached)."""
    return [m.span() for m in re.finditer(r"\S+", text)]


UNITS = {"words": word_spans, "graphemes": partial(word_spans, unspaced="graphemes"), "whitespace": whitespace_spans}


def covered(spans: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indices of the word units that overlap the character range ``[start, end)``."""
    return [i for i, (a, b) in enumerate(spans) if a < end and b > start]
