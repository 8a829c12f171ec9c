"""Goals on hand cases, lexicon routes (direct, inverted, pivot), sites and the registries' contracts."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_DATA
from xprep.attack.catalog import ATTACKS
from xprep.attack.constraints import CONSTRAINTS
from xprep.attack.goals import GOALS, partial, sentence_tag_score
from xprep.attack.lexicon import load_lexicon
from xprep.attack.search import SEARCHES
from xprep.attack.sites import View
from xprep.attack.transforms import TRANSFORMATIONS
from xprep.errors import InputError, UnknownNameError
from xprep.records import PairRecord, SpanRecord, TaggingRecord

PAIR = PairRecord(id="p", lang="en", text_a="the bees sat", text_b="no bees", label=1, num_labels=2)
SPAN = SpanRecord(id="s", lang="en", context="The keeper lived here.", question="Who lived here?",
                  answers=[{"text": "The keeper", "start": 0}])  # fmt: skip
NER = TaggingRecord(id="t", lang="en", tokens=["Maria", "saw", "Paris", "today"], tags=["B-PER", "O", "B-LOC", "O"])
POS = TaggingRecord(id="u", lang="en", tokens=["the", "cat", "sat"], tags=["DET", "NOUN", "VERB"])


@pytest.mark.parametrize(
    ("probs", "success", "score"),
    [([0.2, 0.8], False, 0.2), ([0.6, 0.4], True, 0.6), ([0.5, 0.5], True, 0.5)],
)
def test_classification_goal(probs, success, score):
    v = GOALS.get("classification").judge(PAIR, {"probs": probs}, 0.5, "xnli")
    assert v.success is success and v.score == pytest.approx(score) and v.item == float(not success)


def test_classification_goal_three_labels_counts_any_other_label():
    rec = PairRecord(id="p", lang="en", text_a="a", text_b="b", label=0)
    v = GOALS.get("classification").judge(rec, {"probs": [0.34, 0.4, 0.26]}, 0.5, "xnli")
    assert v.success and v.item == 0.0


@pytest.mark.parametrize(
    ("answer", "success", "item"),
    [("The keeper", False, 1.0), ("keeper", False, 1.0), ("keeper lived", False, 2 / 3), ("here", True, 0.0)],
)
def test_span_goal_f1(answer, success, item):
    v = GOALS.get("span-f1").judge(SPAN, {"answer": answer, "confidence": 0.5}, 0.5, "xquad")
    assert v.success is success and v.item == pytest.approx(item, abs=1e-6)


def test_span_partial_success_and_confidence_breaks_ties():
    goal = GOALS.get("span-f1").judge
    clean = goal(SPAN, {"answer": "The keeper", "confidence": 0.9}, 0.5, "xquad")
    half = goal(SPAN, {"answer": "keeper lived", "confidence": 0.9}, 0.5, "xquad")
    unsure = goal(SPAN, {"answer": "The keeper", "confidence": 0.1}, 0.5, "xquad")
    assert partial(clean, half) and not partial(clean, unsure)
    assert unsure.score > clean.score and half.score > unsure.score  # an F1 drop outweighs any confidence change


def test_tagging_goal_entity_f1_and_token_accuracy():
    assert sentence_tag_score(["B-PER", "O", "B-LOC", "O"], NER.tags) == 1.0
    assert sentence_tag_score(["B-PER", "O", "O", "O"], NER.tags) == pytest.approx(2 / 3)  # P 1, R 1/2
    assert sentence_tag_score(["DET", "VERB", "VERB"], POS.tags) == pytest.approx(2 / 3)  # POS: token accuracy
    goal = GOALS.get("tagging").judge
    assert not goal(NER, {"tags": ["B-PER", "O", "O", "O"], "gold_prob": 0.5}, 0.5, "panx").success
    assert goal(NER, {"tags": ["O", "O", "O", "O"], "gold_prob": 0.5}, 0.5, "panx").success
    assert goal(NER, {"tags": ["B-PER", "O", "O", "O"], "gold_prob": 0.5}, 0.7, "panx").success


def test_pair_sites_are_word_types_over_both_sentences():
    view = View(PAIR)
    sites = {s.word: s for s in view.sites()}
    assert sites["bees"].places == (("text_a", 1), ("text_b", 1))
    rec = view.apply({"w:bees": "abejas"}, {s.key: s for s in sites.values()})
    assert (rec.text_a, rec.text_b) == ("the abejas sat", "no abejas")
    assert view.changed_words({"w:bees": "abejas"}, {s.key: s for s in sites.values()}) == 2


def test_span_sites_question_only_and_append():
    view = View(SPAN)
    sites = view.sites(distractor=True)
    assert {s.field for s in sites} == {"question", "context"} and sites[-1].word == ""
    rec = view.apply({sites[-1].key: "Bees hum."}, {s.key: s for s in sites})
    assert rec.context == SPAN.context + " Bees hum." and rec.answers == SPAN.answers


def _write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("".join(f"{a} {b}\n" for a, b in lines), encoding="utf-8")
    return path


def test_lexicon_direct_inverted_and_pivot(tmp_path):
    _write(tmp_path, "en-de.txt", [("bees", "Bienen"), ("house", "Haus"), ("house", "Gebäude")])
    _write(tmp_path, "en-fr.txt", [("bees", "abeilles"), ("house", "maison")])
    lex = load_lexicon([tmp_path], "de", vocab={"haus", "bienen", "katze"})
    assert lex.routes == {"en": "inverted", "fr": "pivot:en"}
    assert lex.translations("Haus", "en") == ["house"]
    assert lex.translations("Bienen", "fr") == ["abeilles"]
    assert lex.describe()["fr"]["files"] == [str(tmp_path / "en-de.txt"), str(tmp_path / "en-fr.txt")]
    direct = load_lexicon([tmp_path / "en-de.txt"], "en")
    assert direct.routes == {"de": "direct"} and direct.translations("house", "de") == ["Haus", "Gebäude"]
    with pytest.raises(InputError, match="no lexicon route de -> sw"):
        load_lexicon([tmp_path], "de", embed=["sw"])
    with pytest.raises(InputError, match="cannot tell the languages"):
        load_lexicon([_write(tmp_path, "words.txt", [("a", "b")])], "en")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "en-es.txt").write_text("lonely\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"en-es.txt:1"):
        load_lexicon([bad], "en")


@pytest.mark.skipif(not (SHARED_DATA / "lexicons" / "muse").is_dir(), reason="../shared/data/lexicons/muse absent")
def test_real_muse_lexicons_reach_every_language_from_german():
    muse = SHARED_DATA / "lexicons" / "muse"
    lex = load_lexicon([muse], "de", vocab={"haus", "wasser", "katze"})
    assert lex.routes["en"] == "inverted" and lex.routes["fr"] == "pivot:en" and "ja" in lex.routes
    assert "house" in lex.translations("Haus", "en") and lex.translations("Haus", "es")


def test_registries_explain_unknown_names():
    for registry in (ATTACKS, CONSTRAINTS, SEARCHES, TRANSFORMATIONS, GOALS):
        with pytest.raises(UnknownNameError, match="known:"):
            registry.get("nope")
    for name, recipe in ATTACKS.items():
        SEARCHES.get(recipe.search)
        assert all(t in TRANSFORMATIONS for t in recipe.transformations), name
        assert all(c in CONSTRAINTS for c in recipe.constraints), name
    assert {"codemix", "charflip", "qa-question", "ner-context"} <= set(ATTACKS.names())
