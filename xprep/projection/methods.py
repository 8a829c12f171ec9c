"""The projection methods as registry entries with behaviour: what each needs and how it locates a span.

A method declares what a build must prepare for it (the answers translated on their own, extra MT
requests such as the marked segments, a word aligner) and locates one answer in a translated context.
The chain (:mod:`xprep.projection.chain`), the chunk stages and ``projection score`` ask the methods
instead of knowing them by name:

- ``markers``: EasyProject-style: the answer's sentence(s) translated with ``[ ]`` around the span;
- ``exact``: the separately translated answer occurs verbatim in the translated context (the
  occurrence nearest the source answer's relative position); needs MT, so not used in gold scoring;
- ``align``: word alignment (eflomal or encoder) from source words to target words;
- ``fuzzy``: best fuzzy match of the translated answer (gold scoring: the source answer) in the context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xprep.projection import exact, fuzzy
from xprep.registry import Registry
from xprep.text import fold_case

if TYPE_CHECKING:
    from xprep.projection.bitext import AlignedText
    from xprep.records import Record

Span = tuple[int, int]


@dataclass
class Marked:
    """The translated marked segment of one answer and where its sentence(s) lie in the target context."""

    translation: str | None
    window: tuple[int, int] | None
    reason: str | None = None


@dataclass
class Attempt:
    """One answer to project: the source context and answer, the target context, and what was prepared."""

    src_context: str
    start: int
    text: str
    tgt_context: str
    hint: str | None = None  # the answer translated on its own (None: not translated)
    aligned: AlignedText | None = None
    marked: Marked | None = None
    fuzzy_threshold: float = 70.0

    @property
    def relative_start(self) -> float:
        return self.start / max(len(self.src_context), 1)


@dataclass(frozen=True)
class Projector:
    """A projection method: its needs (declared) and ``locate`` (a span, or None and the reason it failed)."""

    name: str
    doc: str
    locate: Callable[[Attempt], tuple[Span | None, str]]
    translates_answers: bool = False  # needs each answer translated on its own
    needs_aligner: bool = False
    extra_requests: Callable[[Record], list[tuple[str, str]]] | None = None  # ("markers.i", text) per answer


def _exact(a: Attempt) -> tuple[Span | None, str]:
    if a.hint is None:
        return None, "no_translated_answer"
    pos = exact.locate(a.tgt_context, a.hint, a.relative_start)
    return ((pos, pos + len(a.hint)), "") if pos is not None else (None, "not_found")


def _align(a: Attempt) -> tuple[Span | None, str]:
    from xprep.projection.spans import project_span

    if a.aligned is None:
        return None, "no_alignment"
    at = a.aligned
    end = a.start + len(a.text)
    prefer = at.similarities.preference if at.similarities else None
    span = project_span(at.src_words, at.tgt_words, at.links, a.start, end, a.tgt_context, a.src_context, prefer=prefer)
    return (span, "") if span is not None else (None, "no_aligned_words")


def _fuzzy(a: Attempt) -> tuple[Span | None, str]:
    found = fuzzy.best_match(a.tgt_context, a.hint if a.hint is not None else a.text, a.fuzzy_threshold)
    return ((found[0], found[1]), "") if found is not None else (None, "below_threshold")


def _markers(a: Attempt) -> tuple[Span | None, str]:
    """Locate the text between the markers inside the answer's sentence(s) of the plain translation."""
    from xprep.projection.markers import read_markers

    marked = a.marked
    if marked is None:
        return None, "needs_mt"
    if marked.translation is None or marked.window is None:
        return None, marked.reason or "no_marked_translation"
    inner, reason = read_markers(marked.translation)
    if inner is None:
        return None, reason or "markers_lost"
    lo, hi = marked.window
    window = a.tgt_context[lo:hi]
    for hay, needle in ((window, inner), (fold_case(window), fold_case(inner))):
        pos = hay.find(needle)
        if pos != -1:
            return (lo + pos, lo + pos + len(inner)), ""
    found = fuzzy.best_match(window, inner, a.fuzzy_threshold)
    if found is not None:
        return (lo + found[0], lo + found[1]), ""
    return None, "marked_span_not_in_plain_translation"


def marker_requests(src: Record) -> list[tuple[str, str]]:
    """Extra MT segments the markers method needs for a source record: ``("markers.i", marked text)``."""
    from xprep.projection.markers import marked_segment
    from xprep.records import SpanRecord

    if not isinstance(src, SpanRecord):
        return []
    out = []
    for i, ans in enumerate(src.answers):
        found = marked_segment(src.context, ans["start"], ans["start"] + len(ans["text"]))
        if found is not None:
            out.append((f"markers.{i}", found[0]))
    return out


PROJECTORS: Registry[Projector] = Registry("projection method")
for _p in (
    Projector("exact", "separately translated answer found verbatim in the translated context", _exact,
              translates_answers=True),
    Projector("align", "word alignment (eflomal or encoder) from source words to target words", _align,
              needs_aligner=True),
    Projector("fuzzy", "best fuzzy match of the translated answer in the translated context (rapidfuzz)", _fuzzy,
              translates_answers=True),
    Projector("markers", "EasyProject-style: the answer's sentence translated with [ ] around the span", _markers,
              extra_requests=marker_requests),
):  # fmt: skip
    PROJECTORS.add(_p.name, _p)

DEFAULT_CHAIN = ("markers", "align", "fuzzy")
LABELLED_KINDS = ("span", "tagging")  # the kinds whose labels are projected (tagging: by alignment only)


def parse_chain(text: str) -> tuple[str, ...]:
    """``"chain"`` -> the default order (markers, align, fuzzy); ``"align,fuzzy"`` -> those methods."""
    if text in ("chain", ""):
        return DEFAULT_CHAIN
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for n in names:
        PROJECTORS.get(n)
    return names


def translates_answers(chain: Sequence[str]) -> bool:
    """Whether a method of ``chain`` reads each answer translated on its own."""
    return any(PROJECTORS.get(m).translates_answers for m in chain)


def needs_aligner(kind: str, chain: Sequence[str]) -> bool:
    """Whether a build of records of ``kind`` projected with ``chain`` needs a word aligner."""
    return kind in LABELLED_KINDS and any(PROJECTORS.get(m).needs_aligner for m in chain)


def reads_extra_translations(chain: Sequence[str]) -> bool:
    """Whether a method of ``chain`` asks for extra MT requests (the marked segments)."""
    return any(PROJECTORS.get(m).extra_requests is not None for m in chain)


def extra_requests(src: Record, chain: Sequence[str]) -> list[tuple[str, str]]:
    """Every extra MT request the methods of ``chain`` need for ``src``, in chain order."""
    out: list[tuple[str, str]] = []
    for m in chain:
        make = PROJECTORS.get(m).extra_requests
        if make is not None:
            out.extend(make(src))
    return out
