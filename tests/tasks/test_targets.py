"""XTREME target-task loaders on files in their original formats, and `xprep train --target-task`."""

import json

import pytest
from click.testing import CliRunner

from tests.conftest import SHARED_DATA
from xprep.cli import main
from xprep.errors import InputError
from xprep.tasks.targets import TARGETS, load_target


def _train(tiny_xlmr, out, args, steps="1"):
    """`xprep train` with the tiny encoder and the fastest settings; ``args`` are what the test is about."""
    return CliRunner().invoke(
        main,
        [
            "train",
            *args,
            "--model",
            str(tiny_xlmr),
            "--out",
            str(out),
            "--max-steps",
            steps,
            "--grad-accum",
            "1",
            "--max-length",
            "32",
        ],
    )


def test_registry():
    assert set(TARGETS) == {"xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa"}
    assert TARGETS.get("pawsx").target_epochs == 5 and TARGETS.get("udpos").target_epochs == 10
    assert len(TARGETS.get("xnli").langs) == 15 and len(TARGETS.get("panx").langs) == 40


def test_xnli_both_layouts(tmp_path):
    full = tmp_path / "xnli.test.tsv"
    full.write_text(
        "language\tgold_label\tsentence1_binary_parse\tsentence1\tsentence2\tpairID\n"
        "de\tentailment\t_\tDer Hund läuft.\tEin Tier bewegt sich.\t1\n"
        "fr\tneutral\t_\tLe chien court.\tIl fait beau.\t2\n"
    )
    (rec,) = load_target("xnli", "de", full)
    assert rec.label == 0 and rec.text_a == "Der Hund läuft." and rec.lang == "de"
    short = tmp_path / "test-de.tsv"
    short.write_text("Der Hund läuft.\tEin Tier bewegt sich.\tcontradiction\n")
    assert load_target("xnli", "de", short)[0].label == 2
    with pytest.raises(InputError, match="no language 'xx'"):
        load_target("xnli", "xx", short)


def test_pawsx_panx_squad(tmp_path):
    paws = tmp_path / "test_2k.tsv"
    paws.write_text("id\tsentence1\tsentence2\tlabel\n1\tA b c.\tC b a.\t0\n2\tX y.\tX y!\t1\n")
    assert [r.label for r in load_target("pawsx", "de", paws)] == [0, 1]
    panx = tmp_path / "test-de.tsv"
    panx.write_text("de:Angela\tB-PER\nde:Merkel\tI-PER\nde:besucht\tO\nde:Paris\tB-LOC\n\nde:Hallo\tO\n")
    recs = load_target("panx", "de", panx)
    assert recs[0].tokens == ["Angela", "Merkel", "besucht", "Paris"] and recs[0].tags[3] == "B-LOC"
    assert len(recs) == 2
    squad = tmp_path / "xquad.de.json"
    ctx = "Der Rhein fließt durch Basel."
    squad.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "title": "t",
                        "paragraphs": [
                            {
                                "context": ctx,
                                "qas": [
                                    {
                                        "id": "q1",
                                        "question": "Wo?",
                                        "answers": [{"text": "Basel", "answer_start": ctx.find("Basel")}],
                                    }
                                ],
                            }
                        ],
                    }
                ]
            }
        )
    )
    (q,) = load_target("xquad", "de", squad)
    assert q.answers == [{"text": "Basel", "start": ctx.find("Basel")}]


@pytest.mark.skipif(not (SHARED_DATA / "ud-pud").is_dir(), reason="../shared/data/ud-pud is absent")
def test_udpos_loader_on_pud():
    recs = load_target("udpos", "fr", SHARED_DATA / "ud-pud" / "fr_pud-ud-test.conllu")
    assert len(recs) == 1000 and all(len(r.tokens) == len(r.tags) for r in recs)
    assert {"NOUN", "VERB", "DET", "PUNCT"} <= {t for r in recs for t in r.tags}


def test_train_with_a_target_task(tiny_xlmr, tmp_path):
    train = tmp_path / "train.tsv"
    rows = [f"{i}\tthe cat {'bees' if i % 2 else 'sat'}\tthe cat\t{i % 2}" for i in range(16)]
    train.write_text("id\tsentence1\tsentence2\tlabel\n" + "\n".join(rows) + "\n")
    de = tmp_path / "de.tsv"
    de.write_text("id\tsentence1\tsentence2\tlabel\n1\tdie Katze bees\tthe cat\t1\n2\tdie Katze sat\tthe cat\t0\n")
    res = _train(
        tiny_xlmr, str(tmp_path / "run"), ["--target-task", "pawsx", "--target", str(train), "--eval", f"de={de}"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads((tmp_path / "run" / "results.json").read_text())
    assert out["names"]["target"] == "pawsx" and out["config"]["target"]["epochs"] == 5
    assert out["results"][0]["task"] == "pawsx" and out["results"][0]["n"] == 2


def test_evaluate_a_run_and_rescore(tiny_xlmr, tmp_path):
    train = tmp_path / "train.tsv"
    rows = [f"{i}\tthe cat {'bees' if i % 2 else 'sat'}\tthe cat\t{i % 2}" for i in range(8)]
    train.write_text("id\tsentence1\tsentence2\tlabel\n" + "\n".join(rows) + "\n")
    fr = tmp_path / "fr.tsv"
    fr.write_text("id\tsentence1\tsentence2\tlabel\n1\tle chat bees\tthe cat\t1\n2\tle chat sat\tthe cat\t0\n")
    runner = CliRunner()
    run = tmp_path / "run"
    res = _train(tiny_xlmr, str(run), ["--target-task", "pawsx", "--target", str(train), "--eval", f"fr={fr}"])
    assert res.exit_code == 0, res.output
    trained = json.loads((run / "results.json").read_text())["results"]
    fresh = runner.invoke(main, ["evaluate", str(run), "--task", "pawsx", "--eval", f"fr={fr}"])
    assert fresh.exit_code == 0, fresh.output
    saved = run / "eval" / "pawsx.fr.clean.json"
    first = json.loads(saved.read_text())
    assert first["n"] == 2 and len(first["items"]) == 2 and first["ids"] == ["1", "2"]
    again = runner.invoke(main, ["evaluate", str(run), "--task", "pawsx", "--eval", f"fr={fr}", "--rescore"])
    assert again.exit_code == 0, again.output
    second = json.loads(saved.read_text())
    assert first["metrics"] == second["metrics"] and first["predictions"] == second["predictions"]
    assert trained[0]["value"] == first["metrics"]["accuracy"], "the same model scores the same records the same way"
    tagged = runner.invoke(main, ["evaluate", str(run), "--task", "pawsx", "--eval", f"fr={fr}", "--tag", "typos"])
    assert tagged.exit_code == 0 and (run / "eval" / "pawsx.fr.typos.json").is_file()
    missing = runner.invoke(main, ["evaluate", str(run), "--task", "pawsx"])
    assert missing.exit_code == 2 and "needs --eval" in missing.output
    other = runner.invoke(main, ["evaluate", str(run), "--task", "xnli", "--eval", f"fr={fr}"])
    assert other.exit_code == 2 and "trained on pawsx, not xnli" in other.output


def test_hub_rows_of_every_target_task():
    from xprep.tasks.targets import hub_record

    nli = ["entailment", "neutral", "contradiction"]
    x = hub_record("xnli", {"premise": "Der Hund läuft.", "hypothesis": "Ein Tier.", "label": 2}, "de", nli)
    assert x.label == 2 and x.lang == "de"
    p = hub_record("pawsx", {"id": 7, "sentence1": "a b", "sentence2": "b a", "label": 0}, "fr", None)
    assert p.num_labels == 2 and p.id == "7"
    ner = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    t = hub_record("panx", {"tokens": ["Angela", "Merkel"], "ner_tags": [1, 2]}, "de", ner)
    assert t.tags == ["B-PER", "I-PER"]
    u = hub_record(
        "udpos",
        {"idx": "s1", "tokens": ["Der", "Hund"], "upos": [5, 7]},
        "de",
        ["NOUN", "PUNCT", "ADP", "NUM", "SYM", "DET", "CCONJ", "VERB"],
    )
    assert u.tags == ["DET", "VERB"]
    squad = {
        "id": "finnish-1-0",
        "title": "t",
        "context": "Helsinki on pääkaupunki.",
        "question": "Mikä?",
        "answers": {"text": ["Helsinki"], "answer_start": [0]},
    }
    assert hub_record("tydiqa", squad, "fi", None).answers == [{"text": "Helsinki", "start": 0}]
    assert hub_record("tydiqa", squad, "sw", None) is None  # another language's row
    assert hub_record("xquad", {**squad, "id": "q1"}, "de", None).lang == "de"


def test_target_by_name_reaches_for_the_hub(tiny_xlmr, tmp_path, monkeypatch):
    """`--target pawsx` asks the hub for XTREME's English training data (no network here: the call is seen)."""
    import xprep.tasks.targets as xt

    asked = []

    def fake_from_hub(spec, lang, config):
        asked.append((spec.hub_id, config, spec.hub_split, lang))
        return [
            xt.hub_record(
                "pawsx",
                {"id": i, "sentence1": f"the cat {'bees' if i % 2 else 'sat'}", "sentence2": "the cat", "label": i % 2},
                "en",
                None,
            )
            for i in range(8)
        ]

    monkeypatch.setattr(xt, "_from_hub", fake_from_hub)
    de = tmp_path / "de.tsv"
    de.write_text("id\tsentence1\tsentence2\tlabel\n1\tdie Katze bees\tthe cat\t1\n")
    res = _train(tiny_xlmr, str(tmp_path / "run"), ["--target", "pawsx", "--eval", f"de={de}"])
    assert res.exit_code == 0, res.output
    assert asked == [("google-research-datasets/paws-x", "en", "train", "en")]


def test_intermediate_tasks_by_name_come_from_the_hub(tiny_xlmr, tmp_path, monkeypatch):
    """`--intermediate mnli,squad_v2` asks the task registry's hub loader for each task's train split."""
    import xprep.tasks as tasks
    from xprep.records import PairRecord

    asked = []

    def fake_load_hub(spec, split):
        asked.append((spec.name, split))
        return iter(
            [
                PairRecord(id=f"{spec.name}-{i}", lang="en", text_a="a cat", text_b="the cat", label=i % 3)
                for i in range(4)
            ]
        )

    monkeypatch.setattr(tasks, "_load_hub", fake_load_hub)
    train = tmp_path / "train.tsv"
    train.write_text("id\tsentence1\tsentence2\tlabel\n1\tthe cat\tthe cat\t1\n2\ta dog\tthe cat\t0\n")
    res = _train(
        tiny_xlmr,
        str(tmp_path / "run"),
        ["--intermediate", "mnli,qqp", "--target-task", "pawsx", "--target", str(train), "--eval", f"de={train}"],
    )
    assert res.exit_code == 0, res.output
    assert asked == [("mnli", "train"), ("qqp", "train")]


def test_language_lists_are_xtremes():
    # XTREME's udpos list (33; Wolof and four others came with XTREME-R) and TyDiQA-GoldP's nine
    udpos = TARGETS.get("udpos").langs
    assert len(udpos) == 33 and "wo" not in udpos and {"yo", "kk", "th", "tl"} <= set(udpos)
    assert set(TARGETS.get("tydiqa").langs) == {"ar", "bn", "en", "fi", "id", "ko", "ru", "sw", "te"}
