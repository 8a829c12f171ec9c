"""Sentence segmentation with character offsets, pairing the sentences of a text and its translation, and
rejoining translated sentences.

Rule-based and script-aware: a sentence ends at ``. ! ?`` (and ``…``) followed by whitespace and a
plausible sentence start, unless the word before is a known abbreviation or a single-letter
initial; at CJK full stops (``。！？``) with no whitespace needed; at the Devanagari danda (``। ॥``),
the Arabic question mark (``؟``), the Urdu full stop (``۔``), the Khmer khan (``។ ៕``), the Myanmar
section mark (``။``), the Ethiopic full stop (``።``) and the Armenian full stop (``։``); in Thai and Lao,
which write no full stop, at a space between two letters of the script (the space ends a sentence or
a clause there; a space beside a number, a Latin word or punctuation does not); and at every line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "cf",
        "al",
        "fig",
        "no",
        "nos",
        "vol",
        "pp",
        "ed",
        "eds",
        "approx",
        "dept",
        "est",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "a.m",
        "p.m",
        "ph.d",
    ]
)
ORDINAL_NEXT = frozenset(
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember Jänner "
    "Jahrhundert Jahrhunderts Jahrtausend Weltkrieg Weltkriegs Platz Liga Klasse Auflage Mal".split()
)
_LATIN_END = re.compile(r"""[.!?…]+["')\]»”’]*(?=\s+["'(\[«“‘¿¡]?[\w\d])""")
_HARD_END = re.compile(r"""[。！？!?][」』”’)）]*|[।॥؟۔។៕။።։]""")
_SPACE_END = re.compile(r"(?<=[\u0e01-\u0e4e\u0e81-\u0ede])\s+(?=[\u0e01-\u0e4e\u0e81-\u0ede])")  # Thai, Lao


@dataclass(frozen=True)
class Segment:
    """A sentence of a text: ``text[start:end]`` (no surrounding whitespace)."""

    start: int
    end: int


def _ends(text: str) -> list[int]:
    ends: set[int] = set()
    for m in _LATIN_END.finditer(text):
        word = text[: m.start()].rsplit(None, 1)[-1] if text[: m.start()].strip() else ""
        word = word.lstrip("\"'([«“").lower()
        if m.group().startswith(".") and (word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        after = text[m.end() :].lstrip()
        if m.group().startswith(".") and word[-1:].isdigit() and after[:1].isdigit():
            continue
        if m.group() == "." and word.isdigit() and len(word) <= 2 and after.split(None, 1)[0] in ORDINAL_NEXT:
            continue  # a German-style ordinal: "am 1. Januar", "im 19. Jahrhundert"
        if m.group() == "." and after[:1].islower():
            continue  # a sentence does not start in lower case: an abbreviation we do not list
        ends.add(m.end())
    for m in _HARD_END.finditer(text):
        ends.add(m.end())
    for m in _SPACE_END.finditer(text):
        ends.add(m.start())
    for m in re.finditer(r"\n", text):
        ends.add(m.start())
    return sorted(ends)


def split_sentences(text: str) -> list[Segment]:
    """Sentences of ``text`` with their offsets; whitespace between them belongs to no segment.

    Joining ``text[seg.start:seg.end]`` with the original gaps gives ``text`` back exactly.
    """
    segments: list[Segment] = []
    pos = 0
    for end in [*_ends(text), len(text)]:
        if end <= pos:
            continue
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if chunk.strip():
            segments.append(Segment(pos + lead, end - trail))
        pos = end
    return segments


def gaps(text: str, segments: list[Segment]) -> list[str]:
    """The text between consecutive segments (``len(segments) - 1`` strings)."""
    return [text[a.end : b.start] for a, b in zip(segments, segments[1:], strict=False)]


def rejoin(parts: list[str], source_gaps: list[str], joiner: str) -> tuple[str, list[tuple[int, int]]]:
    """Join translated sentences; a source gap holding a line break keeps it, others become ``joiner``.

    Returns the text and each part's ``(start, end)`` offsets in it.
    """
    out: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for i, part in enumerate(parts):
        if i:
            gap = source_gaps[i - 1]
            sep = "\n" * gap.count("\n") if "\n" in gap else joiner
            out.append(sep)
            pos += len(sep)
        out.append(part)
        offsets.append((pos, pos + len(part)))
        pos += len(part)
    return "".join(out), offsets


Ranges = list[tuple[int, int]]
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


def pair_sentences(src: Ranges, tgt: Ranges, src_len: int, tgt_len: int) -> tuple[Ranges, Ranges]:
    """The sentence pairs of a text and its translation: one to one where both have as many sentences (as a
    build translates them), else paired by length (:func:`align_sentences`); the whole texts as one pair
    where either side has no sentences or no pairing covers both."""
    if src and tgt and len(src) != len(tgt):
        src, tgt = align_sentences(src, tgt)
    if not src or not tgt:
        return [(0, src_len)], [(0, tgt_len)]
    return src, tgt
