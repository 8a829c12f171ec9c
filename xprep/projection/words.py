"""Word units for alignment, with character offsets.

Spaced scripts: runs of letters/digits/marks, and each punctuation character on its own. Scripts
written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese): each character of those
scripts is its own unit, which is what character-level alignment of CJK needs; Latin runs inside
such text stay whole.
"""

from __future__ import annotations

import re
import unicodedata

_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f"
    "\uac00-\ud7af]"
)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\S", re.UNICODE)


def is_unspaced(text: str) -> bool:
    """Whether ``text`` is (or starts with) a character of a script written without spaces (not Hangul)."""
    return bool(text) and bool(_UNSPACED.match(text)) and not ("\uac00" <= text[0] <= "\ud7af")


def word_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each word unit of ``text``, in order, never overlapping."""
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        chunk = text[start:end]
        if _UNSPACED.search(chunk):
            # Hangul keeps words (Korean is spaced); other unspaced scripts go character by character
            i = start
            run_start: int | None = None
            while i < end:
                ch = text[i]
                if _UNSPACED.match(ch) and not ("\uac00" <= ch <= "\ud7af"):
                    if run_start is not None:
                        spans.append((run_start, i))
                        run_start = None
                    # keep combining marks (Thai vowels/tones) with their base character
                    j = i + 1
                    while j < end and unicodedata.combining(text[j]):
                        j += 1
                    spans.append((i, j))
                    i = j
                    continue
                if run_start is None:
                    run_start = i
                i += 1
            if run_start is not None:
                spans.append((run_start, end))
        else:
            spans.append((start, end))
    return spans


def whitespace_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each whitespace-separated token (punctuation stays attached): the plain
    tokenisation of the reference baseline, kept for comparisons (``--units whitespace``)."""
    return [m.span() for m in re.finditer(r"\S+", text)]


UNITS = {"words": word_spans, "whitespace": whitespace_spans}


def words(text: str) -> list[str]:
    """The word units of ``text`` as strings."""
    return [text[a:b] for a, b in word_spans(text)]


def covered(spans: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indices of the word units that overlap the character range ``[start, end)``."""
    return [i for i, (a, b) in enumerate(spans) if a < end and b > start]
