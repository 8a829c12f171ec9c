"""The stage protocol and the translate chunk's stages, run one by one on a record whose right answer is known."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from xprep.chunk import Chunk
from xprep.mt.engine import DecodingSettings, Translation
from xprep.mt.stages import Rejoin, Segment, Translate
from xprep.projection.stage import Project
from xprep.projection.tags import TagPolicy
from xprep.quality.checks import CheckOptions
from xprep.quality.stage import Score
from xprep.records import SpanRecord
from xprep.stage import Events, Stage, run_stages


@dataclass
class UpperEngine:
    """An engine that 'translates' by upper-casing: the projected span is known exactly."""

    settings: DecodingSettings = field(default_factory=DecodingSettings)
    counters: Counter = field(default_factory=Counter)
    mt_seconds: float = 0.0

    def translate(self, requests, progress=None):
        self.counters["segments"] += len(requests)
        return [Translation(text.upper()) for text, _ in requests]


def _record() -> SpanRecord:
    ctx = "Paris is big. It lies on the Seine."
    return SpanRecord(id="q1", lang="en", context=ctx, question="Where?", answers=[{"text": "Seine", "start": 29}])


def test_events_count_reasons():
    ev = Events()
    ev.add("failed", "all_methods_failed")
    ev.add("failed", "all_methods_failed")
    ev.add("projected")
    assert ev == Counter({"failed:all_methods_failed": 2, "projected": 1})
    assert ev.by_reason("failed") == {"all_methods_failed": 2}


def test_every_chunk_stage_follows_the_protocol():
    stages = [
        Segment(True, ("markers", "fuzzy")),
        Translate(UpperEngine()),  # type: ignore[arg-type]
        Rejoin(),
        Project(("markers", "fuzzy"), None, TagPolicy()),
        Score(("length_ratio",), CheckOptions()),
    ]
    for stage in stages:
        assert isinstance(stage, Stage) and stage.name and isinstance(stage.params(), dict)
    assert [s.name for s in stages] == ["segment", "translate", "rejoin", "project", "score"]


def test_the_stages_in_turn_project_a_known_answer():
    chain = ("markers", "fuzzy")
    chunk = Segment(True, chain).run(Chunk([_record()], ["de"]))
    texts = [t for t, _ in chunk.requests]
    assert "Paris is big." in texts and "[Seine]" not in texts  # sentences, and the marked sentence:
    assert any("[Seine]" in t for t in texts) and "Seine" in texts  # fuzzy translates the answer itself
    engine = UpperEngine()
    chunk = run_stages([Translate(engine), Rejoin()], chunk)  # type: ignore[arg-type]
    (built,) = chunk.built["de"]
    assert built.tgt.context == "PARIS IS BIG. IT LIES ON THE SEINE." and "markers.0" in built.extras
    result = run_stages([Project(chain, None, TagPolicy()), Score(("length_ratio",), CheckOptions())], chunk).result
    (item,) = result.items["de"]
    assert item.tgt.answers == [{"text": "SEINE", "start": 29}]
    assert item.tgt.meta["projection"]["method"] == "markers"
    assert list(item.tgt.meta) == ["source", "translation", "projection", "quality"]
    assert "length_ratio" in item.tgt.meta["quality"]
    assert result.events["de"]["projected"] == 1 and result.events["de"]["method:markers"] == 1
    assert result.events["de"]["mt_segments_markers"] == 1 and result.counters["segments"] == len(chunk.requests)
