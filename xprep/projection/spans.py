"""Span projection through word alignments.

The source span covers some source words; their aligned target words are collected; outliers are
dropped (aligned target words outside the chosen cluster, see :func:`project_span`); the projected
span is the smallest contiguous range of target words covering what is left; where the aligner kept
word similarities (the encoder), its edges then move by them (:func:`move_edges`); it is cut from the
target text by character offsets, so ``context[start:start+len(text)] == text`` holds by construction.
Leading/trailing punctuation that the source span does not have is trimmed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection

import regex

from xprep.projection.align import Links
from xprep.projection.words import covered

# how much more similar (cosine) an edge word must be to the span than to the rest of its sentence, or the
# other way round, for the edge to move: measured in docs/projection.md ("Span edges by similarity")
EDGE_MARGIN = 0.05
Preference = Callable[[int, set[int]], "float | None"]
# a unit of hiragana alone: a Japanese particle, okurigana or auxiliary (`税金|が|下|がっ|た|とき`, "when taxes
# fell"), which English writes with no word of its own and so is often left unlinked inside an answer
_HIRAGANA = regex.compile(r"[\p{Hiragana}ー]+")


def _clusters(positions: list[int], max_gap: int, light: Collection[int] = ()) -> list[list[int]]:
    """Runs of positions with at most ``max_gap`` unlinked words between neighbours, where two words of
    ``light`` count as one (``がっ|た``: okurigana and an auxiliary fill the gap one other word would)."""
    groups: list[list[int]] = []
    for p in sorted(set(positions)):
        last = groups[-1][-1] if groups else None
        if last is not None and (
            p - last <= max_gap + 1
            or sum(1 if j in light else 2 for j in range(last + 1, p)) <= 2 * max_gap
        ):
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _is_punct(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c).startswith("P") for c in text)


def project_span(
    src_words: list[tuple[int, int]],
    tgt_words: list[tuple[int, int]],
    links: Links,
    start: int,
    end: int,
    tgt_text: str,
    src_text: str = "",
    max_gap: int = 1,
    prefer: Preference | None = None,
) -> tuple[int, int] | None:
    """Character range in the target for the source range ``[start, end)``, or None when nothing aligns.

    Of the clusters of aligned target words (neighbours at most ``max_gap`` unaligned words apart, two
    hiragana-only words counting as one), the largest wins; ties go to the cluster whose relative position is
    nearest the source span's, so a repeated word projects onto its own occurrence.
    ``prefer(j, source words)``: the similarity evidence of
    :meth:`xprep.projection.evidence.Similarities.preference`, which moves the edges.
    """
    src_idx = sorted(set(covered(src_words, start, end)))
    span = set(src_idx)
    hits = [j for i, j in links if i in span]
    if not hits:
        return None
    src_rel = src_idx[0] / max(len(src_words), 1)

    def key(group: list[int]) -> tuple[int, float]:
        return len(group), -abs(group[0] / max(len(tgt_words), 1) - src_rel)

    light = {j for j in range(min(hits), max(hits) + 1) if _HIRAGANA.fullmatch(tgt_text, *tgt_words[j])}
    best = max(_clusters(hits, max_gap, light), key=key)
    lo, hi = best[0], best[-1]
    if prefer is not None:
        lo, hi = move_edges(lo, hi, len(tgt_words), lambda j: prefer(j, span), tgt_text, tgt_words)
    src_span = src_text[start:end] if src_text else ""
    while lo < hi and _is_punct(tgt_text[slice(*tgt_words[lo])]) and not _is_punct(src_span[:1]):
        lo += 1
    while hi > lo and _is_punct(tgt_text[slice(*tgt_words[hi])]) and not _is_punct(src_span[-1:]):
        hi -= 1
    return tgt_words[lo][0], tgt_words[hi][1]


def move_edges(
    lo: int, hi: int, n: int, prefer: Callable[[int], float | None], text: str, words: list[tuple[int, int]]
) -> tuple[int, int]:
    """Shrink the word range ``[lo, hi]`` past edge words clearly more similar to a source word outside the
    source span than to any inside it (at least one word stays), then grow it over neighbours for which the
    reverse holds (never over punctuation). Where the links reach one word too far (`thành`, "become", linked
    to English `the` in `the national drink`) or stop one word short (`tải biển` of `vận tải biển`,
    "shipping", left unlinked), the similarities decide; a word without them stays as it is. Shrinking first
    keeps a wrong edge word from ending up inside the span when a neighbour beyond it is grown over.
    """

    def score(j: int) -> float:
        value = prefer(j)
        return 0.0 if value is None else value

    while lo < hi and score(lo) < -EDGE_MARGIN:
        lo += 1
    while hi > lo and score(hi) < -EDGE_MARGIN:
        hi -= 1
    while lo > 0 and not _is_punct(text[slice(*words[lo - 1])]) and score(lo - 1) > EDGE_MARGIN:
        lo -= 1
    while hi + 1 < n and not _is_punct(text[slice(*words[hi + 1])]) and score(hi + 1) > EDGE_MARGIN:
        hi += 1
    return lo, hi
