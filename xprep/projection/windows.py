"""Windows over sentences longer than the encoder reads at once, so every word of them gets a vector.

An encoder reads at most ``max_position_embeddings`` pieces (512 for XLM-R and multilingual-e5); the
tokenizer cuts what follows, and those words would get no vector and so no link (a 700-word sentence kept
229 words' links on multilingual-e5-small). A long sentence is instead read in overlapping windows: its
words are cut into consecutive *cores* of at most half the budget, each read with up to a quarter of the
budget of the words before it as left context (less where the core is longer) and as much of the words after
it as the budget leaves, and each word's vector comes from the window whose core holds it (and the words that
share a subword piece, from the window whose core holds the first of them). A sentence within the budget is one
window, read as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Window:
    """Words ``[lo, hi)`` of sentence ``sentence`` are read together; words ``[core_lo, core_hi)`` take their
    vectors from this reading."""

    sentence: int
    lo: int
    hi: int
    core_lo: int
    core_hi: int


def plan_windows(pieces: Sequence[Sequence[int]], budget: int) -> list[Window]:
    """The windows for sentences whose words take ``pieces[s][w]`` subword pieces each, in order. A word
    longer than the whole budget is a window on its own (the tokenizer then cuts it)."""
    out: list[Window] = []
    for s, counts in enumerate(pieces):
        n = len(counts)
        if sum(counts) <= budget:
            out.append(Window(s, 0, n, 0, n))
            continue
        a = 0
        while a < n:
            b, used = a + 1, counts[a]
            while b < n and used + counts[b] <= budget // 2:
                used += counts[b]
                b += 1
            lo, left = a, 0
            while lo > 0 and left + counts[lo - 1] <= min(budget // 4, budget - used):
                lo -= 1
                left += counts[lo]
            hi, total = b, used + left
            while hi < n and total + counts[hi] <= budget:
                total += counts[hi]
                hi += 1
            out.append(Window(s, lo, hi, a, b))
            a = b
    return out


def stitch(windows: Sequence[Window], read: Sequence[tuple[object, list[list[int]]]], n_sentences: int) -> list:
    """Per sentence, ``(vectors, groups)`` from the windows' readings ``read[k] = (vectors of words lo..hi,
    groups of window word indices that share a piece)``: the core rows in order, the groups inside a core."""
    import torch

    rows: list[list] = [[] for _ in range(n_sentences)]
    groups: list[list[list[int]]] = [[] for _ in range(n_sentences)]
    for win, (vectors, win_groups) in zip(windows, read, strict=True):
        rows[win.sentence].append(vectors[win.core_lo - win.lo : win.core_hi - win.lo])
        for g in win_groups:  # a group is taken from the window whose core holds its first word
            shifted = [win.lo + k for k in g]
            if win.core_lo <= shifted[0] < win.core_hi:
                groups[win.sentence].append(shifted)
    return [(torch.cat(r) if len(r) > 1 else r[0], g) for r, g in zip(rows, groups, strict=True)]


def piece_counts(tok: Any, units: Sequence[tuple[str, list[tuple[int, int]]]]) -> list[list[int]]:
    """Subword pieces per word of each ``(text, word spans)`` as the encoder will read them (a piece over two
    words read part by part: :mod:`xprep.projection.pieces`; one it cannot split counts for both), from one
    tokenizer call for all (no length is safe without it: NFKC writes ``ﷺ`` as four pieces)."""
    from xprep.projection.pieces import unshared

    if not units:
        return []
    found = tok([text for text, _ in units], add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    out = []
    for (text, spans), ids, natural in zip(units, found["input_ids"], found["offset_mapping"], strict=True):
        _, offsets = unshared(tok, list(ids), [list(o) for o in natural], text, spans)
        counts = [0] * len(spans)
        for _, k in piece_words([(a, max(z, a + 1)) for a, z in offsets], spans):
            counts[k] += 1
        out.append(counts)
    return out


def piece_words(offsets: Sequence[Sequence[int]], spans: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """``(piece position, word index)`` for every word each piece overlaps, in order; a piece without width
    (a special or padding position, a blanked lone ``▁``) overlaps none."""
    w = 0
    for pos, (a, z) in enumerate(offsets):
        if z <= a:
            continue
        while w < len(spans) and spans[w][1] <= a:
            w += 1
        k = w
        while k < len(spans) and spans[k][0] < z:
            yield pos, k
            k += 1
