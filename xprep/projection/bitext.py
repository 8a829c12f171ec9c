"""Texts and their translations as aligned word units: sentence pairing, then one aligner call for all.

Each text is split into word units (:mod:`xprep.text`); sentences are paired (the segmenter's own
correspondence in a build, a length-based dynamic programme where the counts differ on gold data) and
every sentence pair of every text goes to the aligner in one call; links come back as global word indices,
with the encoder's word similarities where it gives them (:mod:`xprep.projection.evidence`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xprep.mt.segment import pair_sentences
from xprep.projection.align import Aligner, Links
from xprep.projection.evidence import Similarities
from xprep.projection.words import UNITS

Ranges = list[tuple[int, int]]


@dataclass
class AlignedText:
    """Word spans of a source and a target text, links between them (global word indices) and, from an
    aligner that gives them, the word similarities of each sentence pair (empty otherwise)."""

    src_words: Ranges
    tgt_words: Ranges
    links: Links = field(default_factory=set)
    similarities: Similarities = field(default_factory=Similarities)


def _sentence_pairs(
    src_text: str, tgt_text: str, src_sents: Ranges | None, tgt_sents: Ranges | None, units: str = "words"
) -> tuple[AlignedText, list[tuple[list[int], list[int]]]]:
    """Word spans of both texts and, per sentence pair, the global indices of its words."""
    split = UNITS[units]
    sw, tw = split(src_text), split(tgt_text)
    src_sents, tgt_sents = pair_sentences(src_sents or [], tgt_sents or [], len(src_text), len(tgt_text))
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
    scored = getattr(aligner, "align_scored", None)
    results: list[tuple[Links, Any]]
    if not pairs:
        results = []
    elif scored is not None:
        results = scored(pairs)
    else:
        results = [(links, None) for links in aligner.align(pairs)]
    for (k, s_idx, t_idx), (local, matrix) in zip(owners, results, strict=True):
        at = prepared[k][0]
        at.links |= {(s_idx[i], t_idx[j]) for i, j in local if i < len(s_idx) and j < len(t_idx)}
        if matrix is not None:
            at.similarities.add(s_idx, t_idx, matrix)
    return [at for at, _ in prepared]
