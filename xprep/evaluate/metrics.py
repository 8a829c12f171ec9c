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


# --- MLQA / XQuAD per-language answer normalisation --------------------------------------------------
# MLQA's evaluation (Lewis et al. 2020) lower-cases, removes every Unicode punctuation character,
# removes each language's articles and tokenises Chinese by characters ("mixed segmentation").
MLQA_ARTICLES = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b",
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "ar": r"\sال^|ال",
}


def _is_punct(ch: str) -> bool:
    import unicodedata

    return ch in _PUNCT or unicodedata.category(ch).startswith("P")


def mlqa_normalise(text: str, lang: str) -> str:
    """MLQA's normalisation for ``lang``: lower-case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if not _is_punct(ch))
    pattern = MLQA_ARTICLES.get(lang)
    if pattern:
        text = re.sub(pattern, " ", text)
    return " ".join(text.split())


def mlqa_tokens(text: str, lang: str) -> list[str]:
    """Whitespace tokens, or for Chinese every CJK character as its own token (mixed segmentation)."""
    if lang != "zh":
        return text.split()
    out: list[str] = []
    word = ""
    for ch in text:
        if re.match(r"[\u4e00-\u9fa5]", ch) or _is_punct(ch) or ch.isspace():
            if word:
                out.append(word)
                word = ""
            if not ch.isspace():
                out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    return out


def mlqa_scores(prediction: str, golds: Sequence[str], lang: str) -> tuple[float, float]:
    """(EM, F1) of one prediction against its gold answers, with MLQA's normalisation for ``lang``."""
    pred = mlqa_normalise(prediction, lang)
    em = float(any(pred == mlqa_normalise(g, lang) for g in golds))
    f1 = 0.0
    p_toks = mlqa_tokens(pred, lang)
    for gold in golds:
        g_toks = mlqa_tokens(mlqa_normalise(gold, lang), lang)
        common = sum((Counter(p_toks) & Counter(g_toks)).values())
        if common:
            p, r = common / len(p_toks), common / len(g_toks)
            f1 = max(f1, 2 * p * r / (p + r))
        elif not p_toks and not g_toks:
            f1 = max(f1, 1.0)
    return em, f1


# --- classification and tagging --------------------------------------------------------------------
def accuracy(predictions: Sequence[object], golds: Sequence[object]) -> float:
    """Share of positions where prediction equals gold (XNLI, PAWS-X, Tatoeba)."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} golds")
    return sum(p == g for p, g in zip(predictions, golds, strict=True)) / max(len(golds), 1)


def _chunks(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """Entity chunks ``(type, start, end)`` of a BIO/IOB2 sequence, as conlleval and seqeval read them.

    A chunk starts at ``B-X``, or at ``I-X`` after a token that is not of type X; tags without a
    prefix (POS tags) are one-token chunks of their own type.
    """
    out = set()
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-") if tag[:2] in ("B-", "I-") else ("", "", tag)
        continues = prefix == "I" and kind == typ and start is not None
        if start is not None and not continues:
            out.add((kind, start, i))
            start, kind = None, None
        if tag == "O" or i == len(tags):
            continue
        if prefix in ("B", "") or not continues:
            start, kind = i, typ
            if prefix == "":
                out.add((kind, start, i + 1))
                start, kind = None, None
    return out


def chunk_f1(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over entity chunks (PAN-X NER; XTREME's UD-POS uses the same code,
    where every POS tag is a one-token chunk, so F1 equals token accuracy when every token is scored)."""
    tp = n_pred = n_gold = 0
    for p, g in zip(predictions, golds, strict=True):
        cp, cg = (
            {
                (
                    t,
                    s,
                    e,
                )
                for t, s, e in _chunks(p)
            },
            _chunks(g),
        )
        tp += len(cp & cg)
        n_pred += len(cp)
        n_gold += len(cg)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# --- retrieval -------------------------------------------------------------------------------------
def bucc_f1(candidates: Sequence[tuple[str, str, float]], gold: set[tuple[str, str]]) -> dict[str, float]:
    """BUCC mining F1 with the threshold search of the shared task's scripts.

    ``candidates`` are (source id, target id, score); the threshold that maximises F1 over the gold
    pairs is chosen (every candidate score is tried, highest first). Returns precision, recall, F1 and
    the threshold.
    """
    best = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "threshold": float("inf")}
    if not gold:
        return best
    tp = 0
    ordered = sorted(candidates, key=lambda c: -c[2])
    for n, (src, tgt, score) in enumerate(ordered, 1):
        tp += (src, tgt) in gold
        if n < len(ordered) and ordered[n][2] == score:
            continue  # a threshold keeps every candidate with the same score
        p, r = tp / n, tp / len(gold)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best["f1"]:
            best = {"precision": p, "recall": r, "f1": f1, "threshold": score}
    return best
