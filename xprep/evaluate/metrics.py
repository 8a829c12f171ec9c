"""XTREME's metrics, written from the definitions of the scorers its ``evaluate.py`` calls.

Every function here returns what the official scorer returns on the same input (to float rounding):

- SQuAD v1.1 (``third_party/evaluate_squad.py``; XTREME scores XQuAD and TyDiQA-GoldP with it):
  lower-case, drop ASCII punctuation, drop the English articles a/an/the, split on whitespace. EM: the
  normalised strings are equal. F1: token overlap, **0 when there is no common token**, even when both
  sides normalise to nothing. The best score over the gold answers.
- MLQA v1 (``third_party/evaluate_mlqa.py``, MLQA only): lower-case, drop every Unicode punctuation
  character (and ASCII ``string.punctuation``), drop the language's articles, then for Chinese split every
  CJK ideograph (U+4E00-U+9FA5) into a token of its own ("mixed segmentation") before EM compares and F1
  counts; languages outside en es hi vi de ar zh are refused, as the official script raises for them.
- seqeval 1.2.2 ``f1_score`` / ``precision_score`` / ``recall_score`` (default mode, micro average), which
  XTREME applies to PAN-X **and UD-POS**: the first character of a tag is read as its chunk prefix and the
  rest as its type, so UPOS tags form chunks too (``NOUN NOUN`` is one chunk of type ``OUN``; ``SCONJ`` and
  ``SYM`` start with ``S`` and are single-token chunks; ``INTJ`` starts with ``I``). Sentences are joined
  with an ``O`` between them, as seqeval does with a list of lists.
- accuracy: the share of equal labels (XNLI, PAWS-X, Tatoeba).
- BUCC: F1 of the predicted ``src<TAB>tgt`` pairs as a set against the gold set.

:func:`token_f1` is not an XTREME metric: projection quality uses it (characters as tokens for scripts
written without spaces), and it says so where it is reported.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from xprep.errors import InputError
from xprep.mt.langcodes import NO_SPACE_LANGS
from xprep.text import words

# --- SQuAD v1.1 --------------------------------------------------------------------------------------
_EN_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCT = frozenset(string.punctuation)


def squad_normalise(text: str) -> str:
    """SQuAD v1.1's answer normalisation (lower, no ASCII punctuation, no a/an/the, single spaces)."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    return " ".join(_EN_ARTICLES.sub(" ", text).split())


def _overlap_f1(pred: Sequence[str], gold: Sequence[str]) -> float:
    """Token-overlap F1 as the SQuAD and MLQA scripts compute it (0 without a common token)."""
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = 1.0 * same / len(pred), 1.0 * same / len(gold)
    return (2 * precision * recall) / (precision + recall)


def _best(scores: Iterable[float]) -> float:
    values = list(scores)
    if not values:
        raise ValueError("no gold answers: XTREME's scorers cannot score an unanswerable question")
    return max(values)


def squad_em(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer (SQuAD v1.1)."""
    pred = squad_normalise(prediction)
    return _best(float(pred == squad_normalise(g)) for g in golds)


def squad_f1(prediction: str, golds: Sequence[str]) -> float:
    """Best token-overlap F1 over the gold answers (SQuAD v1.1)."""
    pred = squad_normalise(prediction).split()
    return _best(_overlap_f1(pred, squad_normalise(g).split()) for g in golds)


# --- MLQA v1 -----------------------------------------------------------------------------------------
MLQA_ARTICLES = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b",
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "ar": r"\sال^|ال",
    "hi": None,  # no articles
    "zh": None,
}
MLQA_LANGS = tuple(MLQA_ARTICLES)
_CJK = re.compile(r"[\u4e00-\u9fa5]")


def is_unicode_punct(ch: str) -> bool:
    """A character MLQA's scorer removes: Unicode category P*, or ASCII ``string.punctuation``."""
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def _mixed_segmentation(text: str) -> list[str]:
    """CJK ideographs and punctuation as single tokens, whitespace words between them."""
    out: list[str] = []
    word = ""
    for ch in text:
        if _CJK.search(ch) or is_unicode_punct(ch):
            out += word.split()
            word = ""
            out.append(ch)
        else:
            word += ch
    return out + word.split()


def mlqa_normalise(text: str, lang: str) -> str:
    """MLQA's normalisation for ``lang``; Chinese comes back mixed-segmented (tokens joined by spaces)."""
    if lang not in MLQA_ARTICLES:
        raise InputError(f"MLQA's scorer has no language {lang!r}", hint=f"one of {', '.join(MLQA_LANGS)}")
    text = "".join(ch for ch in text.lower() if not is_unicode_punct(ch))
    pattern = MLQA_ARTICLES[lang]
    if pattern:
        text = re.sub(pattern, " ", text)
    tokens = _mixed_segmentation(text) if lang == "zh" else text.split()
    return " ".join(t for t in tokens if t.strip())


def mlqa_em(prediction: str, golds: Sequence[str], lang: str) -> float:
    pred = mlqa_normalise(prediction, lang)
    return _best(float(pred == mlqa_normalise(g, lang)) for g in golds)


def mlqa_f1(prediction: str, golds: Sequence[str], lang: str) -> float:
    pred = mlqa_normalise(prediction, lang).split()
    return _best(_overlap_f1(pred, mlqa_normalise(g, lang).split()) for g in golds)


# --- projection quality (not an XTREME metric) -------------------------------------------------------
def token_f1(prediction: str, golds: Sequence[str], lang: str | None = None) -> float:
    """SQuAD-normalised overlap F1 with grapheme clusters as tokens for scripts written without spaces (zh, ja,
    th, ...), so that a near miss in Chinese is not all-or-nothing. Used for projection quality only."""

    def tokens(text: str) -> list[str]:
        norm = squad_normalise(text)
        return words(norm, unspaced="graphemes") if lang in NO_SPACE_LANGS else norm.split()

    pred = tokens(prediction)
    return _best(_overlap_f1(pred, tokens(g)) for g in golds)


# --- classification ----------------------------------------------------------------------------------
def accuracy(predictions: Sequence[object], golds: Sequence[object]) -> float:
    """Share of positions where prediction equals gold (XNLI, PAWS-X, Tatoeba)."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} golds")
    return sum(p == g for p, g in zip(predictions, golds, strict=True)) / max(len(golds), 1)


# --- seqeval 1.2.2, default mode ---------------------------------------------------------------------
def _split_tag(tag: str) -> tuple[str, str]:
    """(prefix letter, type) as seqeval reads a tag: ``B-PER`` -> (B, PER), ``NOUN`` -> (N, OUN), ``O`` -> (O, _)."""
    return tag[:1], tag[1:].split("-", 1)[-1] or "_"


def _ends(prev: str, cur: str, prev_type: str, cur_type: str) -> bool:
    return (
        prev in ("E", "S")
        or (prev in ("B", "I") and cur in ("B", "S", "O"))
        or (prev not in ("O", ".") and prev_type != cur_type)
    )


def _starts(prev: str, cur: str, prev_type: str, cur_type: str) -> bool:
    return (
        cur in ("B", "S")
        or (prev in ("E", "S", "O") and cur in ("E", "I"))
        or (cur not in ("O", ".") and prev_type != cur_type)
    )


def seqeval_chunks(sentences: Sequence[Sequence[str]]) -> set[tuple[str, int, int]]:
    """Chunks ``(type, first, last)`` of the sentences joined by ``O`` (seqeval's ``get_entities``)."""
    flat = [t for sent in sentences for t in (*sent, "O")]
    chunks = set()
    prev, prev_type, begin = "O", "", 0
    for i, tag in enumerate([*flat, "O"]):
        cur, cur_type = _split_tag(tag)
        if _ends(prev, cur, prev_type, cur_type):
            chunks.add((prev_type, begin, i - 1))
        if _starts(prev, cur, prev_type, cur_type):
            begin = i
        prev, prev_type = cur, cur_type
    return chunks


def seqeval_scores(golds: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over chunks (in [0, 1]), as seqeval 1.2.2 computes them."""
    if len(golds) != len(predictions):
        raise ValueError(f"{len(predictions)} predicted sentences for {len(golds)} gold sentences")
    truth, pred = seqeval_chunks(golds), seqeval_chunks(predictions)
    tp = len(truth & pred)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


# --- BUCC --------------------------------------------------------------------------------------------
def pair_set_scores(gold: set[tuple[str, str]], predicted: set[tuple[str, str]]) -> dict[str, float]:
    """Precision, recall and F1 (in [0, 1]) of predicted pairs against gold pairs, as sets (BUCC)."""
    correct = len(gold & predicted)
    if not correct:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision, recall = correct / len(predicted), correct / len(gold)
    return {"f1": 2 * precision * recall / (precision + recall), "precision": precision, "recall": recall}
