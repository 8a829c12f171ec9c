"""XTREME's metrics against values computed by hand from the official scorers' definitions.

Each expected value below was worked out on paper from what SQuAD v1.1's ``evaluate-v1.1.py``, MLQA's
``mlqa_evaluation_v1.py``, seqeval 1.2.2 and XTREME's ``utils_retrieve.py`` do; the comment beside each
case shows the arithmetic.
"""

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xprep.errors import InputError
from xprep.evaluate.metrics import (
    accuracy,
    mlqa_em,
    mlqa_f1,
    mlqa_normalise,
    pair_set_scores,
    seqeval_chunks,
    seqeval_scores,
    squad_em,
    squad_f1,
    token_f1,
)
from xprep.evaluate.mining import best_threshold, bucc_scores, candidate_scores, mine_pairs, tatoeba_search

# --- SQuAD v1.1 (XQuAD, TyDiQA-GoldP) ------------------------------------------------------------------
SQUAD_CASES = [
    # prediction, golds, EM, F1
    ("The Eiffel Tower!", ["eiffel tower"], 1.0, 1.0),
    ("in 1874", ["1874"], 0.0, 2 / 3),  # tokens [in, 1874] vs [1874]: p=1/2, r=1
    ("the", ["a"], 1.0, 0.0),  # both normalise to "": equal strings, but no common token -> F1 0
    ("", ["Paris"], 0.0, 0.0),
    ("北京大学", ["北京"], 0.0, 0.0),  # no spaces: one token each, different
    ("«Berlin»", ["Berlin"], 0.0, 0.0),  # « » are not ASCII punctuation: kept
    ("der Rhein", ["Rhein"], 0.0, 2 / 3),  # German articles stay: [der, rhein] vs [rhein]
    ("Rhein", ["der Fluss", "Rhein"], 1.0, 1.0),  # the best gold answer counts
]


@pytest.mark.parametrize(("pred", "golds", "em", "f1"), SQUAD_CASES)
def test_squad_v11(pred, golds, em, f1):
    assert squad_em(pred, golds) == em
    assert squad_f1(pred, golds) == pytest.approx(f1)


def test_no_gold_answers_cannot_be_scored_by_the_official_rules():
    with pytest.raises(ValueError, match="unanswerable"):
        squad_f1("x", [])


# --- MLQA v1 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Der Hund, die Katze.", "de", "hund katze"),
        ("Los perros (y un gato)", "es", "perros y gato"),
        ("An apple", "en", "apple"),
        ("الكتاب", "ar", "كتاب"),  # every ال is replaced by a space
        ("北京，中国。", "zh", "北 京 中 国"),  # punctuation removed, ideographs split
        ("北京abc大学", "zh", "北 京 abc 大 学"),
        ("भारत का", "hi", "भारत का"),  # no Hindi articles
    ],
)
def test_mlqa_normalisation(text, lang, expected):
    assert mlqa_normalise(text, lang) == expected


MLQA_CASES = [
    ("北京 大学", ["北京大学"], "zh", 1.0, 1.0),  # mixed segmentation before EM: both "北 京 大 学"
    ("北京大学", ["北京"], "zh", 0.0, 2 / 3),  # 4 chars vs 2, 2 common: p=1/2, r=1
    ("der Rhein", ["Rhein"], "de", 1.0, 1.0),
    ("«Berlin»", ["Berlin"], "de", 1.0, 1.0),
    ("¿?", ["!"], "es", 1.0, 0.0),  # both empty: EM 1, F1 0
]


@pytest.mark.parametrize(("pred", "golds", "lang", "em", "f1"), MLQA_CASES)
def test_mlqa_v1(pred, golds, lang, em, f1):
    assert mlqa_em(pred, golds, lang) == em
    assert mlqa_f1(pred, golds, lang) == pytest.approx(f1)


def test_mlqa_refuses_languages_its_scorer_does_not_know():
    with pytest.raises(InputError, match="MLQA's scorer has no language 'ru'"):
        mlqa_normalise("x", "ru")


def test_projection_token_f1_is_character_based_for_unspaced_scripts():
    assert token_f1("台北市", ["台北"], "zh") == pytest.approx(0.8)  # chars: p=2/3, r=1
    assert token_f1("", [""], "en") == 0.0


# --- seqeval 1.2.2 (PAN-X and UD-POS) ------------------------------------------------------------------
SEQEVAL_CASES = [
    # gold sentences, predicted sentences, (precision, recall, F1)
    (  # gold PER(0,1) LOC(3,3) ORG(5,5) (an O joins sentences); pred PER ORG(3,3) ORG(5,5): tp=2 of 3 and 3
        [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]],
        [["B-PER", "I-PER", "O", "B-ORG"], ["I-ORG", "O"]],
        (2 / 3, 2 / 3, 2 / 3),
    ),
    (  # UPOS: NOUN NOUN is one chunk; gold {ET(0), OUN(1-2), ERB(3)}, pred {ET(0), OUN(1), ERB(2-3)}: tp=1
        [["DET", "NOUN", "NOUN", "VERB"]],
        [["DET", "NOUN", "VERB", "VERB"]],
        (1 / 3, 1 / 3, 1 / 3),
    ),
    ([["SCONJ", "SCONJ"]], [["SCONJ", "SCONJ"]], (1.0, 1.0, 1.0)),  # S...: two single-token chunks
    ([["INTJ", "INTJ"]], [["INTJ", "ADJ"]], (0.0, 0.0, 0.0)),  # I...: INTJ INTJ merge into (NTJ, 0, 1)
    (  # a trailing X (type "_", like the O between sentences) never closes: gold chunks OUN(0) OUN(3) only
        [["NOUN", "X"], ["NOUN"]],
        [["NOUN", "NOUN"], ["NOUN"]],  # pred OUN(0-1), OUN(3): tp=1 of 2 and 2
        (0.5, 0.5, 0.5),
    ),
    ([["B-PER"]], [["O"]], (0.0, 0.0, 0.0)),
]


@pytest.mark.parametrize(("gold", "pred", "expected"), SEQEVAL_CASES)
def test_seqeval_micro_scores(gold, pred, expected):
    got = seqeval_scores(gold, pred)
    assert (got["precision"], got["recall"], got["f1"]) == pytest.approx(expected)


def test_seqeval_chunks_of_conjunctions():
    # CCONJ and SCONJ share the type CONJ: CCONJ's chunk is overwritten by SCONJ's start (S); after an S the
    # next C continues the same type without starting, so the chunk reaches back to position 0.
    assert seqeval_chunks([["CCONJ", "SCONJ"]]) == {("CONJ", 1, 1)}
    assert seqeval_chunks([["SCONJ", "CCONJ"]]) == {("CONJ", 0, 0), ("CONJ", 0, 1)}


TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "E-ORG", "S-MISC", "NOUN", "VERB", "X", "SCONJ", "CCONJ", "INTJ",
        "SYM", "PUNCT", ".", "ADJ", "DET"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(TAGS), st.sampled_from(TAGS)), max_size=8), min_size=1, max_size=5))
def test_seqeval_equals_the_seqeval_package(sentences):
    seqeval = pytest.importorskip("seqeval.metrics", reason="seqeval (test extra) is the reference here")
    gold = [[g for g, _ in s] for s in sentences]
    pred = [[p for _, p in s] for s in sentences]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "f1": seqeval.f1_score(gold, pred),
            "precision": seqeval.precision_score(gold, pred),
            "recall": seqeval.recall_score(gold, pred),
        }
    assert seqeval_scores(gold, pred) == expected


# --- accuracy, BUCC, Tatoeba ---------------------------------------------------------------------------
def test_accuracy():
    assert accuracy(["entailment", "neutral"], ["entailment", "contradiction"]) == 0.5
    with pytest.raises(ValueError):
        accuracy([1, 2], [1])


def test_bucc_pair_sets():
    gold = {("s1", "t1"), ("s2", "t2")}
    assert pair_set_scores(gold, {("s1", "t1"), ("s3", "t3")}) == {"f1": 0.5, "precision": 0.5, "recall": 0.5}
    assert pair_set_scores(gold, set())["f1"] == 0.0


def test_bucc_threshold_is_the_midpoint_after_the_best_f1():
    gold = {("s1", "t1"), ("s2", "t2"), ("s3", "t3")}
    cands = {("s1", "t1"): 0.9, ("s2", "t2"): 0.8, ("s4", "t9"): 0.7, ("s3", "t3"): 0.6, ("s5", "t5"): 0.5}
    # prefix F1: 1/2, 4/5, 2/3, 6/7 (best, 4 candidates), 3/4 -> threshold between 0.6 and 0.5
    assert best_threshold(cands, gold) == pytest.approx(0.55)
    got = bucc_scores(cands, gold)
    assert got["f1"] == pytest.approx(6 / 7) and len(got["pairs"]) == 4
    # best F1 on the last candidate (XTREME's search indexes past its list there): keep every candidate
    assert best_threshold({("a", "x"): 0.9, ("b", "y"): 0.5}, {("a", "x"), ("b", "y")}) == 0.5
    assert best_threshold({("a", "x"): 0.9}, {("b", "y")}) == 0.0  # nothing right: XTREME's initial 0


def _unit(*xs):
    import torch

    return torch.nn.functional.normalize(torch.tensor([list(x) for x in xs], dtype=torch.float32), dim=-1)


def test_mining_is_margin_scored_and_one_to_one():
    # src0 = e0, src1 = e0 + 0.1 e1; tgt = e0, e1. Both sources prefer tgt0; one-to-one gives src1 tgt1.
    src, tgt = _unit((1, 0), (1, 0.1)), _unit((1, 0), (0, 1))
    pairs = mine_pairs(src, tgt)
    assert [(s, t) for s, t, _ in pairs] == [(0, 0), (1, 1)]
    c = float(src[1] @ tgt[0])  # cos(src1, tgt0)
    src0_mean, tgt0_mean = (1 + 0) / 2, (1 + c) / 2  # mean cosine of the k=2 nearest neighbours
    assert pairs[0][2] == pytest.approx(1 / ((src0_mean + tgt0_mean) / 2), rel=1e-6)
    perm = mine_pairs(_unit((1, 0, 0), (0, 1, 0), (0, 0, 1)), _unit((0, 0, 1), (1, 0, 0), (0, 1, 0)))
    assert sorted((s, t) for s, t, _ in perm) == [(0, 1), (1, 2), (2, 0)]
    assert all(score == pytest.approx(3.0) for *_, score in perm)  # 1 / ((1/3 + 1/3) / 2)


def test_candidates_drop_sentences_with_two_ids():
    from xprep.evaluate.mining import unique_sentences

    sents, ids = unique_sentences({"de-1": "Hallo", "de-2": "Welt", "de-3": "Hallo"})
    assert sents == ["Hallo", "Welt"] and ids == {"Welt": "de-2"}
    cands = candidate_scores([(0, 0, 2.0), (1, 0, 1.5)], sents, ["World"], ids, {"World": "en-1"})
    assert cands == {("de-2", "en-1"): 1.5}


def test_tatoeba_searches_with_the_english_side():
    # English q1 = e0 + 0.5 e1 is nearer non-English line 0 than its own line 1: XTREME's direction gets 1/2
    # right, where searching from the non-English side would get both right.
    non_english, english = _unit((1, 0), (0, 1)), _unit((1, 0), (1, 0.5))
    assert tatoeba_search(non_english, english) == [0, 0]


def test_tatoeba_evaluator_mechanics_on_a_tiny_encoder(tiny_xlmr, tmp_path):
    from xprep.evaluate.retrieval import default_layer, evaluate_tatoeba

    assert default_layer(24) == 14 and default_layer(12) == 7
    (tmp_path / "tatoeba.deu-eng.deu").write_text("Die Katze schläft.\nIch lese ein Buch.\n")
    (tmp_path / "tatoeba.deu-eng.eng").write_text("The cat sleeps.\nI read a book.\n")
    (row,) = evaluate_tatoeba(str(tiny_xlmr), tmp_path, ["deu"], layer=1)
    assert row["n"] == 2 and 0 <= row["value"] <= 100 and len(row["predictions"]) == 2
