"""Sentence segmentation with character offsets, and rejoining translated sentences.

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
