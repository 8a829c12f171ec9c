"""Metrics against hand-computed values."""

import pytest

from xprep.evaluate.metrics import (
    accuracy,
    bucc_f1,
    chunk_f1,
    mlqa_normalise,
    mlqa_scores,
    mlqa_tokens,
    squad_em,
    squad_f1,
)


def test_squad_official_normalisation():
    assert squad_em("The Eiffel Tower!", ["eiffel tower"]) == 1.0
    # pred tokens [in, 1874], gold [1874]: p=1/2, r=1 -> F1 = 2/3
    assert squad_f1("in 1874", ["1874"]) == pytest.approx(2 / 3)
    assert squad_f1("台北市", ["台北"], lang="zh") == pytest.approx(0.8)  # chars: p=2/3, r=1


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Der Hund, die Katze.", "de", "hund katze"),
        ("Los perros (y un gato)", "es", "perros y gato"),
        ("An apple", "en", "apple"),
        ("«Привет!»", "ru", "привет"),
        ("北京，中国。", "zh", "北京中国"),
    ],
)
def test_mlqa_normalisation(text, lang, expected):
    assert mlqa_normalise(text, lang) == expected


def test_mlqa_chinese_mixed_segmentation_and_scores():
    assert mlqa_tokens("北京abc大学", "zh") == ["北", "京", "abc", "大", "学"]
    em, f1 = mlqa_scores("北京大学", ["北京"], "zh")  # pred 4 chars, gold 2, common 2: p=.5 r=1
    assert em == 0.0 and f1 == pytest.approx(2 / 3)
    assert mlqa_scores("der Rhein", ["Rhein"], "de") == (1.0, 1.0)


def test_chunk_f1_ner_and_pos():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["I-ORG", "O"]]  # I- at the start opens a chunk (conlleval)
    # gold chunks: PER(0,2) LOC(3,4) ORG(0,1); pred: PER(0,2) ORG(3,4) ORG(0,1): tp=2, p=2/3, r=2/3
    assert chunk_f1(pred, gold)["f1"] == pytest.approx(2 / 3)
    pos_gold = [["DET", "NOUN", "VERB", "PUNCT"]]
    pos_pred = [["DET", "NOUN", "NOUN", "PUNCT"]]
    assert chunk_f1(pos_pred, pos_gold)["f1"] == pytest.approx(accuracy(pos_pred[0], pos_gold[0])) == 0.75


def test_bucc_threshold_search():
    gold = {("s1", "t1"), ("s2", "t2"), ("s3", "t3")}
    cands = [("s1", "t1", 0.9), ("s2", "t2", 0.8), ("s4", "t9", 0.7), ("s3", "t3", 0.6), ("s5", "t5", 0.5)]
    best = bucc_f1(cands, gold)
    # at 0.8: p=1, r=2/3, F1=0.8; at 0.6: p=3/4, r=1, F1=6/7 (best); at 0.5: p=3/5, r=1, F1=0.75
    assert best["threshold"] == 0.6 and best["f1"] == pytest.approx(6 / 7)
    assert bucc_f1([], set())["f1"] == 0.0


def test_accuracy_length_mismatch():
    with pytest.raises(ValueError):
        accuracy([1, 2], [1])


def test_tatoeba_evaluator_mechanics_on_a_tiny_encoder(tiny_xlmr, tmp_path):
    from xprep.evaluate.retrieval import default_layer, evaluate_tatoeba

    assert default_layer(24) == 14 and default_layer(12) == 7
    (tmp_path / "tatoeba.deu-eng.deu").write_text("Die Katze schläft.\nIch lese ein Buch.\n")
    (tmp_path / "tatoeba.deu-eng.eng").write_text("The cat sleeps.\nI read a book.\n")
    (row,) = evaluate_tatoeba(str(tiny_xlmr), tmp_path, ["deu"], layer=1)
    assert row["n"] == 2 and 0 <= row["value"] <= 100
