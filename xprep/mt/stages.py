"""The MT stages of a translate chunk: segment, translate, rejoin.

segment: every translatable field split into sentences, plus the extra requests the projection methods
ask for (markers: the answer's sentence(s) with the span in ``[ ]``); translate: every (segment, language)
request through the engine in one call (deduplicated and cached there); rejoin: the translations put back
into target records, one per language, with their sentence offsets and MT flags.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xprep.chunk import Built, Chunk
from xprep.mt import langcodes
from xprep.mt.engine import Translation, TranslationEngine
from xprep.mt.segment import gaps, rejoin, split_sentences
from xprep.projection.methods import extra_requests, translates_answers
from xprep.records import Record


def _field_segments(text: str, segment: bool) -> list[str]:
    if not segment:
        return [text]
    segs = split_sentences(text)
    return [text[s.start : s.end] for s in segs] or [text]


@dataclass(frozen=True)
class Segment:
    """Segment every translatable field and list the (segment, language) requests."""

    segment: bool
    projection: Sequence[str]
    name: str = "segment"

    def params(self) -> dict[str, Any]:
        return {"segmentation": "sentences" if self.segment else "none"}

    def run(self, chunk: Chunk) -> Chunk:
        # answers are translated on their own only for the methods that search for them
        chunk.answers_translated = translates_answers(self.projection)
        for rec in chunk.records:
            chunk.layout.append(self._fields(rec, chunk.answers_translated))
        for lang in chunk.langs:
            for fields in chunk.layout:
                for _, segs, _ in fields:
                    chunk.requests.extend((s, lang) for s in segs)
        return chunk

    def _fields(self, rec: Record, answers: bool) -> list[tuple[str, list[str], list[str]]]:
        fields = []
        for path, text in rec.segments():
            if path.startswith("answers.") and not answers:
                continue
            segs = _field_segments(text, self.segment)
            many = self.segment and len(segs) > 1
            fields.append((path, segs, gaps(text, split_sentences(text)) if many else [""] * (len(segs) - 1)))
        # the methods' extra requests (markers: one segment per answer, its sentence(s) with the span in [ ])
        fields.extend((path, [text], []) for path, text in extra_requests(rec, self.projection))
        return fields


@dataclass(frozen=True)
class Translate:
    """Run a chunk's requests through the engine (one caller at a time per engine)."""

    engine: TranslationEngine
    progress: Callable[[int], None] | None = None
    name: str = "translate"

    def params(self) -> dict[str, Any]:
        return {"decoding": self.engine.settings.as_dict()}

    def run(self, chunk: Chunk) -> Chunk:
        before, mt_before = Counter(self.engine.counters), self.engine.mt_seconds
        chunk.translations = self.engine.translate(chunk.requests, progress=self.progress)
        counters = Counter(self.engine.counters)
        counters.subtract(before)
        chunk.counters, chunk.mt_seconds = counters, self.engine.mt_seconds - mt_before
        return chunk


@dataclass(frozen=True)
class Rejoin:
    """Put the translations back into target records, one per language, in request order."""

    name: str = "rejoin"

    def params(self) -> dict[str, Any]:
        return {}

    def run(self, chunk: Chunk) -> Chunk:
        pos = 0
        for lang in chunk.langs:
            events, built = chunk.events(lang), chunk.built.setdefault(lang, [])
            for rec, fields in zip(chunk.records, chunk.layout, strict=True):
                texts, offsets, flags, pos = _rejoin_fields(fields, chunk.translations, pos, lang)
                extras = {p: texts.pop(p) for p in list(texts) if p.startswith("markers.")}
                for p in extras:
                    offsets.pop(p)
                events["mt_segments_markers"] += len(extras)
                answer_paths = [p for p, _ in rec.segments() if p.startswith("answers.")]
                if chunk.answers_translated:
                    events["mt_segments_answers"] += len(answer_paths)
                else:  # not translated: the source text stands in (no method of this chain reads it)
                    texts.update({p: t for p, t in rec.segments() if p.startswith("answers.")})
                tgt = rec.translated(texts, lang)
                tgt.meta = {
                    "source": {**rec.meta.get("source", {}), "id": rec.id, "lang": rec.lang},
                    "translation": {"segments": {p: [list(o) for o in v] for p, v in offsets.items()}, "flags": flags},
                }
                built.append(Built(rec, tgt, offsets, flags, extras))
        return chunk


def _rejoin_fields(
    fields: list[tuple[str, list[str], list[str]]], translations: list[Translation], pos: int, lang: str
) -> tuple[dict[str, str], dict[str, list[tuple[int, int]]], list[str], int]:
    """One record's fields rejoined from ``translations[pos:]``: texts, offsets, sorted MT flags, next pos."""
    texts: dict[str, str] = {}
    offsets: dict[str, list[tuple[int, int]]] = {}
    flags: set[str] = set()
    for path, segs, src_gaps in fields:
        parts = translations[pos : pos + len(segs)]
        pos += len(segs)
        texts[path], offsets[path] = rejoin([p.text for p in parts], src_gaps, langcodes.joiner(lang))
        flags.update("truncated" for p in parts if p.truncated)
        flags.update("split_overlong" for p in parts if p.split)
    return texts, offsets, sorted(flags), pos
