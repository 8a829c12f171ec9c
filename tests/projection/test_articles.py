"""English 'the' projects no tag onto a language without a definite article (xprep.projection.articles)."""

from __future__ import annotations

import pytest

from xprep.chunk import Built, Chunk
from xprep.projection.articles import unprojected_sources
from xprep.projection.stage import Project
from xprep.projection.tags import TagItem, TagPolicy, project_corpus
from xprep.records import TaggingRecord


@pytest.mark.parametrize(
    ("mode", "src", "tgt", "expected"),
    [
        ("auto", "en", "hi", {"the"}),
        ("auto", "en", "ru", {"the"}),
        ("auto", "en", "hin_Deva", {"the"}),  # FLORES-200 code
        ("auto", "en", "rus", {"the"}),  # ISO 639-3 code
        ("auto", "en", "zh-Hant", {"the"}),
        ("auto", "en", "de", set()),  # a definite article word
        ("auto", "en", "ar", set()),  # a definite affix
        ("auto", "en", None, set()),  # target language unknown: nothing dropped
        ("keep", "en", "hi", set()),
        ("drop", "en", "de", {"the"}),
        ("drop", "de", "hi", set()),  # no article forms known for this source
    ],
)
def test_which_source_words_project_no_tag(mode, src, tgt, expected):
    assert unprojected_sources(mode, src, tgt) == expected


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="article mode"):
        unprojected_sources("sometimes", "en", "hi")


# "the capital of India" -> "भारत की राजधानी": the encoder links 'the' to the postposition की
SRC = ["The", "capital", "of", "India"]
TAGS = ["DET", "NOUN", "ADP", "PROPN"]
TGT = ["भारत", "की", "राजधानी"]
LINKS = {(0, 1), (1, 2), (3, 0)}


def test_the_links_of_the_article_carry_no_tag_onto_hindi():
    item = TagItem(SRC, TAGS, TGT, LINKS)
    policy = TagPolicy(refine="none")
    [(kept, _)] = project_corpus([item], policy.for_languages("en", "de"))
    assert kept == ["PROPN", "DET", "NOUN"]  # a language with an article: the link stands
    [(dropped, coverage)] = project_corpus([item], policy.for_languages("en", "hi"))
    assert dropped == ["PROPN", "X", "NOUN"]  # the postposition is unaligned now (fallback X)
    assert coverage == pytest.approx(2 / 3)
    [(forced, _)] = project_corpus([item], TagPolicy(refine="none", articles="keep").for_languages("en", "hi"))
    assert forced == kept


class _Lexicon:
    """Links the words a small lexicon pairs (the encoder's links for the sentences above)."""

    name = "dict"
    pairs = {("the", "की"), ("capital", "राजधानी"), ("india", "भारत"), ("the", "die"), ("capital", "hauptstadt")}

    def align(self, pairs):
        return [{(i, j) for i, s in enumerate(src) for j, t in enumerate(tgt) if (s.lower(), t.lower()) in self.pairs}
                for src, tgt in pairs]  # fmt: skip


def test_the_projection_stage_resolves_the_policy_per_language():
    src = TaggingRecord(id="t0", lang="en", tokens=SRC, tags=TAGS)
    chunk = Chunk(records=[src], langs=["hi", "de"])
    chunk.built = {
        "hi": [Built(src, src.translated({"tokens": " ".join(TGT)}, "hi"), {}, [], {})],
        "de": [Built(src, src.translated({"tokens": "die Hauptstadt"}, "de"), {}, [], {})],
    }
    Project(["align"], _Lexicon(), TagPolicy(refine="none"), "en").run(chunk)
    hi, de = chunk.result.items["hi"][0].tgt, chunk.result.items["de"][0].tgt
    assert hi.tags == ["PROPN", "X", "NOUN"]
    assert de.tags == ["DET", "NOUN"]
