"""`xprep score` on folders in XTREME's layout the tests write, and a run's eval files exported and rescored."""

import json

import pytest
from click.testing import CliRunner

from xprep.cli import main
from xprep.errors import InputError
from xprep.evaluate.export import export_predictions, write_gold
from xprep.evaluate.xtreme_layout import XTREME_LANGS, score_files, score_folders
from xprep.records import PairRecord, SpanRecord, TaggingRecord


def _write(root, task, lang, text, suffix="tsv"):
    path = root / task / f"test-{lang}.{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _squad(qas):
    """One-paragraph SQuAD data: qas = [(id, [answers])]."""
    return json.dumps({"data": [{"paragraphs": [{"context": "c", "qas": [
        {"id": i, "question": "q", "answers": [{"text": a, "answer_start": 0} for a in answers]} for i, answers in qas
    ]}]}]})  # fmt: skip


@pytest.fixture
def layout(tmp_path):
    """Predictions and gold for every XTREME task, one or two languages each, with hand-computed scores."""
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    _write(gold, "xnli", "de", "entailment\nneutral\ncontradiction\nneutral\n")
    _write(pred, "xnli", "de", "entailment\nneutral\nneutral\nneutral\n")  # 3/4
    _write(gold, "xnli", "es", "neutral\n")
    _write(pred, "xnli", "es", "entailment\n")  # 0/1
    _write(gold, "pawsx", "de", "0\n1\n")
    _write(pred, "pawsx", "de", "0\n1\n")  # 2/2
    _write(gold, "udpos", "de", "DET\nNOUN\nNOUN\nVERB\n\n")
    _write(pred, "udpos", "de", "DET\nNOUN\nVERB\nVERB\n\n")  # seqeval: 1/3 (token accuracy would be 3/4)
    _write(gold, "panx", "de", "B-PER\nI-PER\nO\nB-LOC\n\nB-ORG\nO\n\n")
    _write(pred, "panx", "de", "B-PER\nI-PER\nO\nB-ORG\n\nI-ORG\nO\n\n")  # 2/3
    _write(gold, "bucc2018", "de", "de-1\ten-1\nde-2\ten-2\n")
    _write(pred, "bucc2018", "de", "de-1\ten-1\nde-3\ten-3\n")  # p=r=f=1/2
    _write(gold, "tatoeba", "de", "0\n1\n2\n")
    _write(pred, "tatoeba", "de", "0\n2\n2\n")  # 2/3
    _write(gold, "xquad", "zh", _squad([("q1", ["北京"]), ("q2", ["上海"])]), "json")
    _write(pred, "xquad", "zh", json.dumps({"q1": "北京大学", "q2": "上海"}), "json")  # SQuAD v1.1: EM 1/2, F1 1/2
    _write(gold, "mlqa", "zh", _squad([("q1", ["北京"]), ("q2", ["北京大学"])]), "json")
    _write(pred, "mlqa", "zh", json.dumps({"q1": "北京大学", "q2": "北京 大学"}), "json")  # EM 1/2, F1 (2/3+1)/2
    _write(gold, "tydiqa", "en", _squad([("q1", ["the Rhine"])]), "json")
    _write(pred, "tydiqa", "en", json.dumps({}), "json")  # no prediction: 0
    return pred, gold


EXPECTED = {
    ("xnli", "accuracy"): {"de": 75.0, "es": 0.0},
    ("pawsx", "accuracy"): {"de": 100.0},
    ("udpos", "f1"): {"de": 100 / 3},
    ("panx", "f1"): {"de": 200 / 3},
    ("bucc2018", "f1"): {"de": 50.0},
    ("tatoeba", "accuracy"): {"de": 200 / 3},
    ("xquad", "exact_match"): {"zh": 50.0},
    ("xquad", "f1"): {"zh": 50.0},
    ("mlqa", "exact_match"): {"zh": 50.0},
    ("mlqa", "f1"): {"zh": 100 * (2 / 3 + 1) / 2},
    ("tydiqa", "f1"): {"en": 0.0},
}


def test_folders_give_evaluate_py_structure_and_values(layout):
    overall, detailed = score_folders(*layout, partial=True, warn=lambda m: None)
    assert list(detailed) == list(XTREME_LANGS)  # every task, in evaluate.py's order
    for (task, metric), per_lang in EXPECTED.items():
        assert detailed[task][metric] == pytest.approx(per_lang, abs=1e-9)
    assert detailed["xnli"]["avg_accuracy"] == pytest.approx(37.5) and detailed["xnli"]["avg_metric"] == 37.5
    assert detailed["mlqa"]["avg_metric"] == pytest.approx((50.0 + 100 * (2 / 3 + 1) / 2) / 2)  # (EM + F1) / 2
    assert set(detailed["panx"]) == {"f1", "precision", "recall", "avg_f1", "avg_precision", "avg_recall", "avg_metric"}
    assert overall["classification"] == pytest.approx((100.0 + 37.5) / 2)
    assert overall["all_task"] == pytest.approx(sum(d["avg_metric"] for d in detailed.values()) / 9)
    assert list(overall) == ["all_task", "classification", "tagging", "qa", "retrieval"]


def test_cli_json_and_table(layout):
    pred, gold = layout
    res = CliRunner().invoke(main, ["score", "--predictions", str(pred), "--gold", str(gold), "--partial", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"overall", "detailed"} and doc["detailed"]["xnli"]["accuracy"]["de"] == 75.0
    table = CliRunner().invoke(main, ["score", "--predictions", str(pred), "--gold", str(gold), "--partial"])
    assert table.exit_code == 0
    assert ["udpos", "de", "f1", "33.33"] in [line.split() for line in table.stdout.splitlines()]
    one = CliRunner().invoke(main, ["score", "--task", "mlqa", "--lang", "zh", "--json",
                                    "--gold", str(gold / "mlqa/test-zh.json"),
                                    "--predictions", str(pred / "mlqa/test-zh.json")])  # fmt: skip
    assert one.exit_code == 0 and json.loads(one.stdout)["exact_match"] == 50.0


def test_every_language_is_required_unless_partial(layout):
    with pytest.raises(InputError, match="all its languages"):
        score_folders(*layout, warn=lambda m: None)


@pytest.mark.parametrize(
    ("task", "gold", "pred", "message"),
    [
        ("udpos", "NOUN\nVERB\n\n", "NOUN\n\n", "sentence 1: 1 predicted tags for 2 gold tags"),
        ("udpos", "NOUN\n\nVERB\n\n", "NOUN\n\n", "1 predicted sentences for 2 gold sentences"),
        ("xnli", "neutral\nneutral\n", "neutral\n", "1 predictions for 2 gold labels"),
        ("wikiann", "x\n", "x\n", "xprep scores no XTREME task 'wikiann'"),
    ],
)
def test_mismatches_are_one_line_errors(tmp_path, task, gold, pred, message):
    g, p = _write(tmp_path / "g", task, "de", gold), _write(tmp_path / "p", task, "de", pred)
    with pytest.raises(InputError, match=message):
        score_files(task, "de", p, g)
    res = CliRunner().invoke(main, ["score", "--task", task, "--lang", "de", "--gold", str(g), "--predictions", str(p)])
    assert res.exit_code == 2 and res.stderr.startswith("xprep: error:") and len(res.stderr.splitlines()) == 1


def test_unanswerable_gold_and_missing_predictions(tmp_path):
    g = _write(tmp_path / "g", "xquad", "de", _squad([("q1", []), ("q2", ["Rhein"])]), "json")
    p = _write(tmp_path / "p", "xquad", "de", json.dumps({"q1": "", "q2": "Rhein"}), "json")
    with pytest.raises(InputError, match="question q1 has no gold answer"):
        score_files("xquad", "de", p, g)
    notes = []
    g = _write(tmp_path / "g", "xquad", "de", _squad([("q1", ["Rhein"]), ("q2", ["Rhein"])]), "json")
    p = _write(tmp_path / "p", "xquad", "de", json.dumps({"q2": "Rhein"}), "json")
    assert score_files("xquad", "de", p, g, warn=notes.append) == {"exact_match": 50.0, "f1": 50.0}
    assert "1 questions have no prediction" in notes[0]


def _records():
    pairs = [PairRecord(id=f"p{i}", lang="de", text_a="a", text_b="b", label=i % 3) for i in range(5)]
    tags = [TaggingRecord(id="t1", lang="de", tokens=["Anna", "lebt", "in", "Köln"], tags=["B-PER", "O", "O", "B-LOC"]),
            TaggingRecord(id="t2", lang="de", tokens=["Ja"], tags=["O"])]  # fmt: skip
    spans = [SpanRecord(id="s1", lang="de", context="Der Rhein fließt.", question="Was?",
                        answers=[{"text": "Der Rhein", "start": 0}]),
             SpanRecord(id="s2", lang="de", context="Köln liegt am Rhein.", question="Wo?",
                        answers=[{"text": "am Rhein", "start": 11}])]  # fmt: skip
    return {
        "xnli": (pairs, [0, 1, 1, 0, 2]),
        "panx": (tags, [["B-PER", "O", "B-LOC", "I-LOC"], ["O"]]),
        "xquad": (spans, ["Rhein", "am Rhein"]),
        "mlqa": (spans, ["Rhein", "am Rhein"]),  # the same answers: MLQA drops "der", SQuAD v1.1 does not
    }


def test_run_predictions_exported_and_rescored_equal_the_run(tmp_path):
    from xprep.train.run import write_eval

    run, pred, gold = tmp_path / "run", tmp_path / "pred", tmp_path / "gold"
    wrote = {}
    for task, (records, predictions) in _records().items():
        wrote[task] = write_eval(run, task, "de", "clean", records, predictions)["metrics"]
        write_gold(task, {"de": records}, gold)
    paths = export_predictions(run, pred)
    assert len(paths) == 4 and json.loads((pred / "xnli" / "manifest.json").read_text())["source"] == "run"
    _, detailed = score_folders(pred, gold, partial=True, warn=lambda m: None)
    for task, metrics in wrote.items():
        for metric, per_lang in detailed[task].items():
            if isinstance(per_lang, dict):
                assert per_lang["de"] == pytest.approx(metrics[metric], abs=1e-9), (task, metric)
    assert wrote["xquad"]["exact_match"] == 50.0 and wrote["mlqa"]["exact_match"] == 100.0


def test_export_refuses_unsafe_tags_and_files(tmp_path):
    (tmp_path / "run" / "eval").mkdir(parents=True)
    with pytest.raises(InputError):
        export_predictions(tmp_path / "run", tmp_path / "out", tag="../x")
    with pytest.raises(InputError, match="no evaluation files"):
        export_predictions(tmp_path / "run", tmp_path / "out")
