"""The stages of one chunk of records, shared by every executor (local, Ray).

segment -> translate (deduplicated, cached, every language in one engine call) -> rejoin -> project
labels -> score checks. Nothing here writes or decides: the executor's driver counts, decides flags
(:mod:`xprep.quality.filter`) and writes in input order, so a chunk can run in any process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xprep.mt import langcodes
from xprep.mt.engine import Translation, TranslationEngine
from xprep.mt.segment import gaps, rejoin, split_sentences
from xprep.projection.align import Aligner
from xprep.projection.chain import project_records
from xprep.projection.methods import extra_requests, translates_answers
from xprep.quality import checks
from xprep.records import Record, record_from_dict

if TYPE_CHECKING:
    from xprep.pipeline import TranslateJob


@dataclass
class Item:
    """One translated record with its ``meta`` (source, translation, projection, quality scores)."""

    src: Record
    tgt: Record
    mt_flags: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"src": self.src.to_dict(), "tgt": self.tgt.to_dict(), "mt_flags": self.mt_flags}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        return cls(record_from_dict(data["src"]), record_from_dict(data["tgt"]), list(data["mt_flags"]))


# Scores (src, tgt) pairs with the named checks; returns a callable that waits for the values, in order.
Scorer = Callable[[list[tuple[Record, Record]], list[str], checks.CheckOptions], Callable[[], list[dict[str, Any]]]]


def score_inline(
    pairs: list[tuple[Record, Record]], names: list[str], options: checks.CheckOptions | None = None
) -> Callable[[], list[dict[str, Any]]]:
    """The default scorer: every check runs here, now."""
    values = checks.score_many(pairs, names, options)
    return lambda: values


def check_options(job: TranslateJob) -> checks.CheckOptions:
    """The checks' options of a job: the meaning check's encoder on the job's device (the first GPU)."""
    return checks.CheckOptions(qe_model=job.qe_model, device=job.device.torch_device())


@dataclass
class ChunkResult:
    """Items per language, projection events per language, and the engine's counters for this chunk.

    With a deferred scorer the quality scores arrive later: :meth:`settle` waits for them and must run
    before the items are read (executors settle before they hand a result to the driver).
    """

    items: dict[str, list[Item]] = field(default_factory=dict)
    events: dict[str, Counter] = field(default_factory=dict)
    counters: Counter = field(default_factory=Counter)
    mt_seconds: float = 0.0
    pending: Callable[[], list[dict[str, Any]]] | None = None
    settled: bool = False

    def settle(self) -> ChunkResult:
        """Put the quality scores into the items (in the order they were scored) and check each record."""
        if self.settled:
            return self
        if self.pending is not None:
            values = iter(self.pending())
            for items in self.items.values():
                for item in items:
                    item.tgt.meta["quality"] = next(values)
            self.pending = None
        for items in self.items.values():
            for item in items:
                problems = item.tgt.check()
                if problems:  # a bug upstream, never the user's input: keep it visible
                    raise RuntimeError(f"translated record {item.tgt.id} is invalid: {problems}")
        self.settled = True
        return self

    def to_dict(self) -> dict[str, Any]:
        if self.pending is not None:
            raise RuntimeError("settle() a chunk result before serialising it")
        return {
            "items": {k: [i.to_dict() for i in v] for k, v in self.items.items()},
            "events": {k: dict(v) for k, v in self.events.items()},
            "counters": dict(self.counters),
            "mt_seconds": self.mt_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChunkResult:
        return cls(
            {k: [Item.from_dict(i) for i in v] for k, v in data["items"].items()},
            {k: Counter(v) for k, v in data["events"].items()},
            Counter(data["counters"]),
            float(data["mt_seconds"]),
            settled=True,  # only a settled result is serialised
        )


def _field_segments(text: str, segment: bool) -> list[str]:
    if not segment:
        return [text]
    segs = split_sentences(text)
    return [text[s.start : s.end] for s in segs] or [text]


@dataclass
class ChunkPlan:
    """One chunk segmented: per record its fields as (path, segments, gaps), and the MT requests."""

    chunk: list[Record]
    langs: list[str]
    layout: list[list[tuple[str, list[str], list[str]]]]
    requests: list[tuple[str, str]]
    answers_needed: bool


@dataclass
class Translated:
    """A plan's translations, in request order, with the engine's counters and MT time for them."""

    translations: list[Translation]
    counters: Counter
    mt_seconds: float


def process_chunk(
    chunk: list[Record],
    langs: list[str],
    engine: TranslationEngine,
    job: TranslateJob,
    aligner: Aligner | None,
    progress: Callable[[int], None] | None = None,
    scorer: Scorer | None = None,
) -> ChunkResult:
    """Translate, reassemble, project and score one chunk into every language of ``langs``.

    Pure with respect to the build: nothing is written; the driver decides flags and writes, in order.
    Without a ``scorer`` the checks run here and the result comes back settled; with one (a process
    pool), they run elsewhere while the caller goes on, and the caller settles the result. The three
    steps are apart so an executor can translate one chunk while it finishes the one before.
    """
    plan = plan_chunk(chunk, langs, job)
    return finish_chunk(plan, translate_plan(plan, engine, progress), job, aligner, scorer)


def plan_chunk(chunk: list[Record], langs: list[str], job: TranslateJob) -> ChunkPlan:
    """Segment every translatable field and list the (segment, language) requests."""
    requests: list[tuple[str, str]] = []
    layout: list[list[tuple[str, list[str], list[str]]]] = []  # per record: (path, segments, gaps)
    # answers are translated on their own only for the methods that search for them
    answers_needed = translates_answers(job.projection)
    for rec in chunk:
        fields = []
        for path, text in rec.segments():
            if path.startswith("answers.") and not answers_needed:
                continue
            segs = _field_segments(text, job.segment)
            src_gaps = gaps(text, split_sentences(text)) if job.segment and len(segs) > 1 else [""] * (len(segs) - 1)
            fields.append((path, segs, src_gaps))
        # the methods' extra requests (markers: one segment per answer, its sentence(s) with the span in [ ])
        fields.extend((path, [text], []) for path, text in extra_requests(rec, job.projection))
        layout.append(fields)
    for lang in langs:
        for fields in layout:
            for _, segs, _ in fields:
                requests.extend((s, lang) for s in segs)
    return ChunkPlan(chunk, langs, layout, requests, answers_needed)


def translate_plan(
    plan: ChunkPlan, engine: TranslationEngine, progress: Callable[[int], None] | None = None
) -> Translated:
    """Run a plan's requests through the engine (one caller at a time per engine)."""
    before, mt_before = Counter(engine.counters), engine.mt_seconds
    translations = engine.translate(plan.requests, progress=progress)
    counters = Counter(engine.counters)
    counters.subtract(before)
    return Translated(translations, counters, engine.mt_seconds - mt_before)


def finish_chunk(
    plan: ChunkPlan, translated: Translated, job: TranslateJob, aligner: Aligner | None, scorer: Scorer | None = None
) -> ChunkResult:
    """Rejoin the translations, build and project the target records, and score (or queue) the checks."""
    result = ChunkResult()
    chunk, langs, layout, answers_needed = plan.chunk, plan.langs, plan.layout, plan.answers_needed
    translations = translated.translations
    pos = 0
    for lang in langs:
        events = result.events.setdefault(lang, Counter())
        built = []
        for rec, fields in zip(chunk, layout, strict=True):
            texts: dict[str, str] = {}
            offsets: dict[str, list[tuple[int, int]]] = {}
            flags: set[str] = set()
            for path, segs, src_gaps in fields:
                parts: list[Translation] = translations[pos : pos + len(segs)]
                pos += len(segs)
                texts[path], offsets[path] = rejoin([p.text for p in parts], src_gaps, langcodes.joiner(lang))
                flags.update(f for p in parts for f in (("truncated",) if p.truncated else ()))
                flags.update(f for p in parts for f in (("split_overlong",) if p.split else ()))
            extras = {p: texts.pop(p) for p in list(texts) if p.startswith("markers.")}
            for p in extras:
                offsets.pop(p)
            events["mt_segments_markers"] += len(extras)
            answer_paths = [p for p, _ in rec.segments() if p.startswith("answers.")]
            if answers_needed:
                events["mt_segments_answers"] += len(answer_paths)
            else:  # not translated: the source text stands in (no method of this chain reads it)
                texts.update({p: t for p, t in rec.segments() if p.startswith("answers.")})
            built.append((rec, rec.translated(texts, lang), offsets, sorted(flags), extras))
        metas = project_records([(s, t, o, x) for s, t, o, _, x in built], job.projection, aligner, job.tag_policy)
        items = result.items.setdefault(lang, [])
        for (src, tgt, offsets, mt_flags, extras), proj in zip(built, metas, strict=True):
            if proj.get("status") == "failed" and extras:
                proj["marked_translations"] = extras  # a person can see how the markers came back
            tgt.meta = {
                "source": {**src.meta.get("source", {}), "id": src.id, "lang": src.lang},
                "translation": {"segments": {p: [list(o) for o in v] for p, v in offsets.items()}, "flags": mt_flags},
                "projection": proj,
                "quality": {},
            }
            items.append(Item(src, tgt, mt_flags))
    result.counters = translated.counters
    result.mt_seconds = translated.mt_seconds
    pairs = [(item.src, item.tgt) for lang_items in result.items.values() for item in lang_items]
    result.pending = (scorer or score_inline)(pairs, list(job.checks), check_options(job))
    return result if scorer else result.settle()
