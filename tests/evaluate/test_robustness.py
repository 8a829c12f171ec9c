"""Robustness statistics against hand-computed values."""

import pytest

from xprep.evaluate.robustness import entity_and_o_accuracy, robustness, robustness_gain


def test_robustness_table():
    clean = [1, 1, 1, 0, 1, 0, 1, 1, 0, 1]  # 70%
    pert = [1, 0, 1, 0, 0, 1, 1, 0, 0, 1]  # 50%
    r = robustness(clean, pert)
    # flips at items 1, 4, 5, 7 -> 40%; right on both: items 0, 2, 6, 9 -> 40%
    assert r == {
        "clean": 70.0,
        "perturbed": 50.0,
        "drop": 20.0,
        "relative_drop": 0.2857,
        "flip_rate": 40.0,
        "robust_accuracy": 40.0,
        "n": 10,
    }
    with pytest.raises(ValueError):
        robustness([1, 0], [1])


def test_robustness_gain_with_paired_bootstrap():
    english = ([1] * 100, [1] * 60 + [0] * 40)  # drop 40
    native = ([1] * 100, [1] * 90 + [0] * 10)  # drop 10
    g = robustness_gain(english, native, samples=500, seed=1)
    assert g["gain"] == 30.0 and g["ci_low"] < 30 < g["ci_high"] and g["ci_low"] > 15
    same = robustness_gain(english, english, samples=200)
    assert same == {**same, "gain": 0.0, "ci_low": 0.0, "ci_high": 0.0}  # paired: identical arms never differ


def test_entity_and_o_accuracy():
    gold = [["B-PER", "I-PER", "O", "O"], ["B-LOC", "O"]]
    pred = [["B-PER", "O", "O", "B-ORG"], ["B-LOC", "O"]]
    # entity tokens: B-PER right, I-PER wrong, B-LOC right (2/3); O tokens: O right, O->B-ORG wrong, O right (2/3)
    assert entity_and_o_accuracy(pred, gold) == {"entity_tokens": 66.67, "o_tokens": 66.67}


def test_ner_scores_report_entity_and_o_tokens():
    from xprep.evaluate.scoring import score
    from xprep.records import TaggingRecord

    recs = [
        TaggingRecord(id="a", lang="de", tokens=["Anna", "wohnt", "in", "Berlin"], tags=["B-PER", "O", "O", "B-LOC"])
    ]
    got = score("panx", recs, [["B-PER", "O", "B-LOC", "O"]], "de")
    assert got["entity_tokens"] == 50.0 and got["o_tokens"] == 50.0 and got["token_accuracy"] == 50.0
    assert "entity_tokens" not in score(
        "udpos", [TaggingRecord(id="b", lang="de", tokens=["Anna"], tags=["PROPN"])], [["PROPN"]], "de"
    )
