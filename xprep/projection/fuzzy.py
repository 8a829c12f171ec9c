"""Fuzzy span search: the substring of a context that best matches a (translated) answer.

As XTREME's translate-train did: the answer is translated on its own, then located in the translated
context. Candidates are word-aligned substrings of the context of about the answer's length; the
score is rapidfuzz's normalised Indel similarity (0-100); below ``threshold`` the search fails.
"""

from __future__ import annotations

from xprep.projection.words import word_spans
from xprep.text import fold_case


def best_match(context: str, answer: str, threshold: float = 70.0) -> tuple[int, int, float] | None:
    """``(start, end, score)`` of the best-matching word-bounded substring, or None below ``threshold``."""
    from rapidfuzz import fuzz

    answer = answer.strip()
    if not answer or not context:
        return None
    exact = context.find(answer)
    if exact != -1:
        return exact, exact + len(answer), 100.0
    spans = word_spans(context)
    n_ans = max(1, len(word_spans(answer)))
    low, high = max(1, n_ans - 2), n_ans + 2
    best: tuple[int, int, float] | None = None
    needle = fold_case(answer)
    for i in range(len(spans)):
        for k in range(low, high + 1):
            if i + k > len(spans):
                break
            a, b = spans[i][0], spans[i + k - 1][1]
            score = fuzz.ratio(needle, fold_case(context[a:b]))
            if best is None or score > best[2] or (score == best[2] and b - a < best[1] - best[0]):
                best = (a, b, score)
    if best is None or best[2] < threshold:
        return None
    return best
