"""Texts and their translations as aligned word units: sentence pairing, then one aligner call for all.

Each text is split into word units (:mod:`xprep.text`); sentences are paired (the segmenter's own
correspondence in a build, a length-based dynamic programme where the counts differ on gold data) and
every sentence pair of every text goes to the aligner in one call; links come back as global word indices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xprep.projection.align import Aligner, Links
from xprep.projection.words import UNITS

Ranges = list[tuple[int, int]]


@dataclass
class AlignedText:
    """Word spans of a source and a target text, and links between them (global word indices)."""

    src_words: Ranges
    tgt_words: Ranges
    links: Links = field(default_factory=set)


_BEADS = ((1, 1, 0.0), (1, 2, 0.4), (2, 1, 0.4), (2, 2, 0.8), (1, 3, 0.9), (3, 1, 0.9))


def align_sentences(src: Ranges, tgt: Ranges) -> tuple[Ranges, Ranges]:
    """Pair the sentences of a paragraph and its translation when their numbers differ (a translator
    merged or split sentences): a length-based dynamic programme in the manner of Gale and Church (1993)
    over 1-1, 1-2, 2-1, 2-2, 1-3 and 3-1 beads. Returns equally long lists of (merged) character ranges;
    empty lists when no pairing covers both sides."""
    import math

    ls, lt = [b - a for a, b in src], [b - a for a, b in tgt]
    ratio = (sum(lt) or 1) / (sum(ls) or 1)
    n, m = len(src), len(tgt)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for di, dj, penalty in _BEADS:
                if i + di > n or j + dj > m:
                    continue
                a, b = sum(ls[i : i + di]) * ratio, sum(lt[j : j + dj])
                c = cost[i][j] + abs(math.log((b + 10) / (a + 10))) + penalty
                if c < cost[i + di][j + dj]:
                    cost[i + di][j + dj], back[i + di][j + dj] = c, (di, dj)
    if back[n][m] is None:
        return [], []
    out_s: Ranges = []
    out_t: Ranges = []
    i, j = n, m
    while i or j:
        di, dj = back[i][j]  # type: ignore[misc]
        out_s.append((src[i - di][0], src[i - 1][1]))
        out_t.append((tgt[j - dj][0], tgt[j - 1][1]))
        i, j = i - di, j - dj
    return out_s[::-1], out_t[::-1]


def _sentence_pairs(
    src_text: str, tgt_text: str, src_sents: Ranges | None, tgt_sents: Ranges | None, units: str = "words"
) -> tuple[AlignedText, list[tuple[list[int], list[int]]]]:
    """Word spans of both texts and, per sentence pair, the global indices of its words."""
    split = UNITS[units]
    sw, tw = split(src_text), split(tgt_text)
    if src_sents and tgt_sents and len(src_sents) != len(tgt_sents):
        src_sents, tgt_sents = align_sentences(src_sents, tgt_sents)
    if not src_sents or not tgt_sents:
        src_sents, tgt_sents = [(0, len(src_text))], [(0, len(tgt_text))]
    groups = []
    for (sa, sb), (ta, tb) in zip(src_sents, tgt_sents, strict=True):
        groups.append(
            (
                [i for i, (a, b) in enumerate(sw) if a >= sa and b <= sb],
                [j for j, (a, b) in enumerate(tw) if a >= ta and b <= tb],
            )
        )
    return AlignedText(sw, tw), groups


def align_texts(
    items: Sequence[tuple[str, str, Ranges | None, Ranges | None]], aligner: Aligner, units: str = "words"
) -> list[AlignedText]:
    """Align many (source, target, source sentences, target sentences) texts in one aligner call.

    ``units``: ``words`` (punctuation apart, characters for unspaced scripts) or ``whitespace``."""
    prepared = [_sentence_pairs(*item, units=units) for item in items]
    pairs, owners = [], []
    for k, ((src, tgt, _, _), (at, groups)) in enumerate(zip(items, prepared, strict=True)):
        for s_idx, t_idx in groups:
            pairs.append(([src[slice(*at.src_words[i])] for i in s_idx], [tgt[slice(*at.tgt_words[j])] for j in t_idx]))
            owners.append((k, s_idx, t_idx))
    links = aligner.align(pairs) if pairs else []
    for (k, s_idx, t_idx), local in zip(owners, links, strict=True):
        prepared[k][0].links |= {(s_idx[i], t_idx[j]) for i, j in local if i < len(s_idx) and j < len(t_idx)}
    return [at for at, _ in prepared]
