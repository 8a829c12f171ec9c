"""End to end: `xprep attack` against real runs of `xprep train` (a tiny XLM-R fine-tuned on toy tasks)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.attack.conftest import toy_pairs, toy_spans, toy_tags
from tests.conftest import SHARED_DATA
from xprep.attack.run import AttackConfig, attack_sets
from xprep.cli import main
from xprep.io import read_records, write_jsonl

KEYS = {"clean_accuracy", "accuracy_under_attack", "attack_success_rate", "avg_perturbed_word_pct", "avg_queries",
        "forward_passes", "skipped"}  # fmt: skip


def _eval_file(tmp_path, records, name="en.jsonl"):
    path = tmp_path / name
    write_jsonl(path, (r.to_dict() for r in records))
    return path


def _attack(run, data, out, *extra):
    args = ["attack", str(run), "--task", "xnli", "--eval", f"en={data}", "--out", str(out), "--json", "--quiet"]
    return CliRunner().invoke(main, [*args, *extra])


def test_charflip_breaks_the_word_the_model_relies_on(pair_run, tmp_path):
    data = _eval_file(tmp_path, toy_pairs(12, seed=2))
    res = _attack(pair_run, data, tmp_path / "out", "--recipe", "charflip", "--budget", "40")
    assert res.exit_code == 0, res.output
    metrics = json.loads(res.output)["en"]
    assert set(metrics) >= KEYS and all(0 <= metrics[k] <= 100 for k in KEYS - {"forward_passes", "skipped"})
    assert metrics["clean_accuracy"] > 75  # the run learnt the toy rule
    assert metrics["successes"] >= 1 and metrics["accuracy_under_attack"] < metrics["clean_accuracy"]
    rows = [json.loads(x) for x in (tmp_path / "out" / "en" / "examples.jsonl").read_text().splitlines()]
    assert all(r["queries"] <= 40 for r in rows)
    for r in rows:
        if r["status"] == "success":  # success at the query that scored the adversary, within the budget
            assert r["first_success_query"] <= r["queries"] and r["adversarial"]["edits"]
            assert all(e["transformation"] == "char" for e in r["adversarial"]["edits"])
    curve = metrics["robust_accuracy_curve"]
    assert list(curve) == ["10", "25", "40"] and list(curve.values()) == sorted(curve.values(), reverse=True)
    assert (tmp_path / "out" / "robust_accuracy.png").stat().st_size > 0

    # the adversarial set is an evaluation set: the run's accuracy on it is the accuracy under attack
    from xprep.train.loop import TrainConfig, predict
    from xprep.train.run import load_trained

    adversarial = list(read_records(tmp_path / "out" / "en" / "records.jsonl"))
    model, tok, _ = load_trained(pair_run, "pair")
    preds = predict(model, tok, adversarial, TrainConfig(max_length=32))
    acc = 100 * sum(p == r.label for p, r in zip(preds, adversarial, strict=True)) / len(adversarial)
    assert acc == pytest.approx(metrics["accuracy_under_attack"], abs=0.01)


def test_rerun_resume_and_cache_give_the_same_adversaries(pair_run, tmp_path):
    data = _eval_file(tmp_path, toy_pairs(8, seed=3))
    first = _attack(pair_run, data, tmp_path / "a", "--recipe", "charflip", "--budget", "30")
    assert first.exit_code == 0, first.output
    examples = (tmp_path / "a" / "en" / "examples.jsonl").read_text()
    again = _attack(pair_run, data, tmp_path / "b", "--recipe", "charflip", "--budget", "30")
    assert (tmp_path / "b" / "en" / "examples.jsonl").read_text() == examples  # same seed, same adversaries
    assert json.loads(again.output) == json.loads(first.output)

    (progress,) = (tmp_path / "a" / ".state").glob("progress-*.jsonl")
    lines = progress.read_text().splitlines()
    progress.write_text("\n".join(lines[:3]) + "\n" + lines[3][:40])  # killed while writing the 4th example
    resumed = _attack(pair_run, data, tmp_path / "a", "--recipe", "charflip", "--budget", "30")
    assert resumed.exit_code == 0, resumed.output
    rows = [json.loads(x) for x in (tmp_path / "a" / "en" / "examples.jsonl").read_text().splitlines()]
    assert [r["adversarial"] for r in rows] == [json.loads(x)["adversarial"] for x in examples.splitlines()]
    assert sum(r["forward_passes"] for r in rows[3:]) == 0  # the cache answered every re-asked query
    assert [r["queries"] for r in rows] == [json.loads(x)["queries"] for x in examples.splitlines()]


def test_codemix_with_lexicons_records_routes(pair_run, tmp_path):
    lex = tmp_path / "lex"
    lex.mkdir()
    (lex / "en-fr.txt").write_text("bees abeilles\ncat chat\nthe le\n", encoding="utf-8")
    (lex / "de-en.txt").write_text("Bienen bees\nKatze cat\n", encoding="utf-8")
    data = _eval_file(tmp_path, toy_pairs(6, seed=4))
    res = _attack(pair_run, data, tmp_path / "out", "--recipe", "codemix", "--lexicon", str(lex), "--budget", "30")
    assert res.exit_code == 0, res.output
    content = json.loads((tmp_path / "out" / "attack.json").read_text())
    assert {k: v["route"] for k, v in content["lexicons"]["en"].items()} == {"fr": "direct", "de": "inverted"}
    rows = [json.loads(x) for x in (tmp_path / "out" / "en" / "examples.jsonl").read_text().splitlines()]
    edits = [e for r in rows for e in r["adversarial"]["edits"]]
    assert edits and all(e["transformation"] == "codemix" and e["detail"] in ("fr:direct", "de:inverted")
                         for e in edits)  # fmt: skip
    assert json.loads(res.output)["en"]["successes"] >= 1  # 'bees' -> 'abeilles'/'Bienen' flips the toy rule


@pytest.mark.skipif(not (SHARED_DATA / "lexicons" / "muse").is_dir(), reason="../shared/data/lexicons/muse absent")
def test_codemix_with_real_muse_lexicons(pair_run, tmp_path):
    data = _eval_file(tmp_path, toy_pairs(4, seed=5))
    muse = SHARED_DATA / "lexicons" / "muse"
    res = _attack(pair_run, data, tmp_path / "out", "--recipe", "codemix", "--lexicon", str(muse), "--embed",
                  "de,es,hi", "--budget", "25")  # fmt: skip
    assert res.exit_code == 0, res.output
    routes = json.loads((tmp_path / "out" / "attack.json").read_text())["lexicons"]["en"]
    assert {k: v["route"] for k, v in routes.items()} == {"de": "direct", "es": "direct", "hi": "direct"}
    assert routes["de"]["words"] > 0


def test_qa_question_and_ner_context_on_trained_runs(span_run, tag_run, tmp_path):
    span = attack_sets(span_run, "xquad", {"en": toy_spans(4)}, AttackConfig("qa-question", budget=20),
                       tmp_path / "qa", progress=False, echo=lambda s: None)  # fmt: skip
    m = span["metrics"]["en"]
    assert m["metric"] == "f1" and {"clean_f1", "f1_under_attack", "partial_success_rate"} <= set(m)
    for adv, clean in zip(read_records(tmp_path / "qa" / "en" / "records.jsonl"), toy_spans(4), strict=True):
        assert adv.context == clean.context and adv.answers == clean.answers
    tags = attack_sets(tag_run, "panx", {"en": toy_tags(4)}, AttackConfig("ner-context", budget=20),
                       tmp_path / "ner", progress=False, echo=lambda s: None)  # fmt: skip
    assert {"clean_f1", "f1_under_attack"} <= set(tags["metrics"]["en"])
    for adv, clean in zip(read_records(tmp_path / "ner" / "en" / "records.jsonl"), toy_tags(4), strict=True):
        assert adv.tags == clean.tags and len(adv.tokens) == len(clean.tokens)
        assert [t for t, g in zip(adv.tokens, adv.tags, strict=True) if g != "O"] == ["Maria", "Paris"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--recipe", "nope"], "unknown attack 'nope'"),
        (["--recipe", "codemix"], "needs lexicons"),
        (["--recipe", "ner-context"], "does not apply to pair tasks"),
        (["--recipe", "charflip", "--budget", "0"], "--budget must be at least 1"),
        (["--recipe", "charflip", "--search", "greedy"], "did you mean 'greedy-wir'"),
        (["--recipe", "charflip", "--min-similarity", "0.9"], "needs --similarity-model"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(pair_run, tmp_path, extra, message):
    data = _eval_file(tmp_path, toy_pairs(2))
    res = _attack(pair_run, data, tmp_path / "out", *extra)
    assert res.exit_code == 2 and message in res.output and len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_similarity_floor_filters_candidates(pair_run, tiny_xlmr, tmp_path):
    records = {"en": toy_pairs(4, seed=6)}
    common = dict(budget=15, similarity_model=str(tiny_xlmr))
    closed = attack_sets(pair_run, "xnli", records, AttackConfig("charflip", min_similarity=1.01, **common),
                         tmp_path / "closed", progress=False, echo=lambda s: None)  # fmt: skip
    rows = [json.loads(x) for x in (tmp_path / "closed" / "en" / "examples.jsonl").read_text().splitlines()]
    assert all(not r["adversarial"]["edits"] and r["status"] in ("failed", "skipped") for r in rows)
    assert closed["similarity_passes"] > 0 and closed["metrics"]["en"]["successes"] == 0
    opened = attack_sets(pair_run, "xnli", records, AttackConfig("charflip", min_similarity=-1.0, **common),
                         tmp_path / "open", progress=False, echo=lambda s: None)  # fmt: skip
    free = attack_sets(pair_run, "xnli", records, AttackConfig("charflip", budget=15), tmp_path / "free",
                       progress=False, echo=lambda s: None)  # fmt: skip
    assert opened["items"] == free["items"]  # a floor every candidate clears changes nothing
