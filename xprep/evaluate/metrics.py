"""Metrics with hand-checkable definitions.

SQuAD EM/F1 follow the official SQuAD v1.1 evaluation script: lower-case, drop punctuation, drop the
English articles a/an/the, collapse whitespace; F1 over whitespace tokens; the best score over the
gold answers. (MLQA's per-language normalisation arrives with the XTREME evaluator.)
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)


def squad_normalise(text: str) -> str:
    """The official SQuAD answer normalisation."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _tokens(text: str, lang: str | None) -> list[str]:
    from xprep.mt.langcodes import NO_SPACE_LANGS
    from xprep.projection.words import words

    return words(text) if lang in NO_SPACE_LANGS else text.split()


def squad_em(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals any normalised gold answer."""
    return float(any(squad_normalise(prediction) == squad_normalise(g) for g in golds))


def squad_f1(prediction: str, golds: Sequence[str], lang: str | None = None) -> float:
    """Best token-overlap F1 of the prediction against the gold answers.

    Tokens are whitespace words, or characters for scripts written without spaces (``lang`` zh, ja, th...),
    as MLQA does for Chinese; otherwise F1 on such text would be all-or-nothing.
    """
    best = 0.0
    pred = _tokens(squad_normalise(prediction), lang)
    for gold in golds:
        ref = _tokens(squad_normalise(gold), lang)
        if not pred or not ref:
            best = max(best, float(pred == ref))
            continue
        common = sum((Counter(pred) & Counter(ref)).values())
        if common:
            p, r = common / len(pred), common / len(ref)
            best = max(best, 2 * p * r / (p + r))
    return best
