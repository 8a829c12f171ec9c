"""The gold scorer: real Parallel UD (English -> German/French) and hand-written XQuAD-layout files."""

import json

import pytest
from click.testing import CliRunner

from tests.projection.test_projection import DictAligner
from xprep.cli import main
from xprep.projection.align import EflomalAligner
from xprep.projection.score import score_spans, score_tags

from ..conftest import SHARED_DATA

PUD = SHARED_DATA / "ud-pud"
needs_pud = pytest.mark.skipif(
    not (PUD / "en_pud-ud-test.conllu").is_file(), reason="../shared/data/ud-pud is absent (Parallel UD test treebanks)"
)


@needs_pud
@pytest.mark.parametrize("lang", ["de", "fr"])
def test_eflomal_upos_projection_on_pud(lang):
    scores = score_tags(PUD / "en_pud-ud-test.conllu", PUD / f"{lang}_pud-ud-test.conllu", EflomalAligner())
    assert scores["n"] == 1000 and scores["tokens"] > 20_000
    # measured 58.9 / 86.3 (de) and 56.9 / 80.7 (fr); a broken aligner or tag policy falls far below
    assert scores["accuracy"] > 45 and scores["coverage"] > 70


@needs_pud
def test_projection_score_cli_json():
    res = CliRunner().invoke(
        main,
        [
            "projection",
            "score",
            "--source",
            str(PUD / "en_pud-ud-test.conllu"),
            "--target",
            str(PUD / "de_pud-ud-test.conllu"),
            "--aligner",
            "eflomal",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)) >= {"accuracy", "coverage", "n"}


def _squad(path, paragraphs):
    data = [
        {
            "title": "t",
            "paragraphs": [
                {
                    "context": ctx,
                    "qas": [
                        {"id": qid, "question": "q?", "answers": [{"text": ans, "answer_start": ctx.find(ans)}]}
                        for qid, ans in qas
                    ],
                }
            ],
        }
        for ctx, qas in paragraphs
    ]
    path.write_text(json.dumps({"version": "1.1", "data": data}, ensure_ascii=False))
    return path


def test_span_scoring_on_xquad_layout(tmp_path):
    en = _squad(
        tmp_path / "en.json",
        [
            (
                "The lighthouse was built in 1874. The cat sat on the mat.",
                [("q1", "1874"), ("q2", "the mat"), ("q3", "The cat")],
            )
        ],
    )
    de = _squad(
        tmp_path / "de.json",
        [
            (
                "Der Leuchtturm wurde 1874 gebaut. Die Katze saß auf der Matte.",
                [("q1", "1874"), ("q2", "der Matte"), ("q3", "Die Katze")],
            )
        ],
    )
    aligned = score_spans(en, de, ["align"], DictAligner())
    assert aligned == {"em": 100.0, "f1": 100.0, "n": 3, "methods": {"align": 3}, "misses": []}
    fuzzy = score_spans(en, de, ["fuzzy"], None)
    assert fuzzy["n"] == 3 and fuzzy["methods"]["fuzzy"] >= 1 and 0 < fuzzy["em"] < 100
    # every answer that missed is listed with what was projected and the gold, ids in the files' order
    assert len(fuzzy["misses"]) == round(3 * (1 - fuzzy["em"] / 100))
    gold = {"q1": "1874", "q2": "der Matte", "q3": "Die Katze"}
    assert all(m["gold"] == gold[m["id"]] and m["predicted"] != m["gold"] for m in fuzzy["misses"])
    args = ["projection", "score", "--source", str(en), "--target", str(de), "--method", "fuzzy"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0 and "missed exact match" in res.stdout and fuzzy["misses"][0]["id"] in res.stdout


def test_projection_report_on_the_demo(tmp_path):
    out = tmp_path / "demo"
    CliRunner().invoke(main, ["demo", "--out", str(out), "--to", "de", "--engine", "tiny"], catch_exceptions=False)
    res = CliRunner().invoke(main, ["projection", "report", str(out / "build")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "squad_v2/de/train" in res.output and "ccg/de/train" in res.output
    md = (out / "build" / "projection_report.md").read_text()
    assert "# Projection report" in md
    assert (out / "build" / "projection_answer_length_ratio.png").stat().st_size > 1000
