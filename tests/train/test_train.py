"""Every head through both phases on a tiny random XLM-R; a learnable toy task must be learnt."""

import json
import random

import pytest

from xprep.evaluate.scoring import score
from xprep.records import ChoiceRecord, PairRecord, SpanRecord, TaggingRecord
from xprep.train.loop import TrainConfig, load_head, predict, train
from xprep.train.run import run_two_phase

WORDS = ["the", "cat", "sat", "on", "mat", "lighthouse", "keeper", "storm", "bees", "queen", "hive", "winter"]


def _toy_pairs(n, seed=0):
    """Label 1 iff the word 'bees' is in text_a: one token decides, a tiny model can learn it."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice([w for w in WORDS if w != "bees"]) for _ in range(5)]
        label = i % 2
        if label:
            words[rng.randrange(5)] = "bees"
        out.append(
            PairRecord(id=f"p{i}", lang="en", text_a=" ".join(words), text_b="the cat", label=label, num_labels=2)
        )
    return out


FAST = dict(learning_rate=3e-3, batch_size=8, grad_accum=1, warmup=0.1, max_length=32, seed=0)


@pytest.mark.slow
def test_loss_falls_and_accuracy_beats_chance(tiny_xlmr):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_xlmr))
    model = load_head("pair", str(tiny_xlmr), num_labels=2)
    data, held_out = _toy_pairs(160), _toy_pairs(60, seed=1)
    log = train(model, tok, data, TrainConfig(epochs=8, **FAST))
    first, last = sum(log["losses"][:5]) / 5, sum(log["losses"][-5:]) / 5
    assert last < first * 0.7, (first, last)
    acc = score("xnli", held_out, predict(model, tok, held_out, TrainConfig(max_length=32)), "en")["accuracy"]
    assert acc > 75, acc  # chance is 50


def _span(i):
    ctx = f"The lighthouse keeper number {i} lived on the island with the bees."
    return SpanRecord(
        id=f"s{i}",
        lang="en",
        context=ctx,
        question="Who lived on the island?",
        answers=[{"text": "The lighthouse keeper", "start": 0}] if i % 3 else [],
    )


def _choice(i):
    return ChoiceRecord(
        id=f"c{i}",
        lang="en",
        context="The cat sat.",
        question="Where?",
        choices=["on the mat", "in the hive", "at the storm"],
        label=i % 3,
    )


def _tag(i):
    return TaggingRecord(
        id=f"t{i}", lang="en", tokens=["the", "cat", "sat", "."], tags=["DET", "NOUN", "VERB", "PUNCT"]
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("intermediate", "target"), [("pair", "tagging"), ("span", "choice"), ("choice", "span"), (None, "pair")]
)
def test_two_phases_every_head(intermediate, target, tiny_xlmr, tmp_path):
    make = {"pair": lambda i: _toy_pairs(12)[i], "span": _span, "choice": _choice, "tagging": _tag}
    inter = [make[intermediate](i) for i in range(12)] if intermediate else None
    tgt = [make[target](i) for i in range(12)]
    cfg = TrainConfig(epochs=1, **FAST)
    result = run_two_phase(
        str(tiny_xlmr), tmp_path / "run", tgt, {"en": tgt[:6], "de": tgt[6:]}, inter, cfg, cfg, echo=lambda s: None
    )
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved == json.loads(json.dumps(result, ensure_ascii=False))
    metrics = {(r["lang"], r["metric"]) for r in saved["results"]}
    expected = {"pair": {"accuracy"}, "choice": {"accuracy"}, "span": {"exact_match", "f1"},
                "tagging": {"f1", "precision", "recall", "token_accuracy"}}  # fmt: skip
    assert metrics == {(lang, m) for lang in ("en", "de") for m in expected[target]}
    assert all(0 <= r["value"] <= 100 for r in saved["results"])
    assert (saved["training"].get("intermediate") is not None) == (intermediate is not None)
    if intermediate:
        assert (tmp_path / "run" / "intermediate" / "config.json").is_file()


def test_train_command_on_builds(tiny_xlmr, tmp_path):
    from click.testing import CliRunner

    from xprep.cli import main
    from xprep.io import write_jsonl

    def build(name, records):
        folder = tmp_path / name
        folder.mkdir()
        write_jsonl(folder / "records.jsonl", (r.to_dict() for r in records))
        return folder

    inter = build("inter", [_span(i) for i in range(6)])
    target = build("target", _toy_pairs(16))
    de = build(
        "de",
        [
            PairRecord(id=f"d{i}", lang="de", text_a="die Katze bees", text_b="the cat", label=1, num_labels=2)
            for i in range(4)
        ],
    )
    res = CliRunner().invoke(
        main,
        [
            "train",
            "--intermediate",
            str(inter),
            "--target",
            str(target),
            "--eval",
            f"de={de}",
            "--model",
            str(tiny_xlmr),
            "--out",
            str(tmp_path / "run"),
            "--max-steps",
            "2",
            "--batch-size",
            "4",
            "--grad-accum",
            "1",
            "--max-length",
            "48",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads((tmp_path / "run" / "results.json").read_text())
    assert out["results"][0]["lang"] == "de" and out["results"][0]["metric"] == "accuracy"
    assert out["training"]["intermediate"]["steps"] == 2 and out["training"]["target"]["steps"] == 2
    # the build folder given as an absolute path names the evaluation file; it lands inside --out, never beside
    assert (tmp_path / "run" / "eval" / "target.de.clean.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".json") == []
    bad = CliRunner().invoke(
        main,
        ["train", "--target", str(tmp_path), "--eval", "de", "--model", str(tiny_xlmr), "--out", str(tmp_path / "x")],
    )
    assert bad.exit_code == 2 and "no records.jsonl" in bad.output


@pytest.mark.slow
def test_multi_task_intermediate_shares_the_encoder(tiny_xlmr, tmp_path):
    from transformers import AutoTokenizer

    from xprep.train.loop import Task, share_encoder, train_tasks

    tok = AutoTokenizer.from_pretrained(str(tiny_xlmr))
    pair = load_head("pair", str(tiny_xlmr), num_labels=2)
    span = load_head("span", str(tiny_xlmr))
    share_encoder([pair, span])
    assert pair.roberta is span.roberta
    before = pair.roberta.embeddings.word_embeddings.weight.detach().clone()
    log = train_tasks(
        [Task(pair, _toy_pairs(24)), Task(span, [_span(i) for i in range(8)])], tok, TrainConfig(max_steps=12, **FAST)
    )
    assert log["steps"] == 12 and sum(log["batches_per_task"]) == 12
    assert log["batches_per_task"][0] > log["batches_per_task"][1] > 0  # proportional: 24 vs 8 records
    assert not pair.roberta.embeddings.word_embeddings.weight.detach().equal(before)
    # through run_two_phase: several kinds in the intermediate phase, then a target
    result = run_two_phase(
        str(tiny_xlmr),
        tmp_path / "run",
        [_tag(i) for i in range(8)],
        {"en": [_tag(0)]},
        _toy_pairs(8) + [_choice(i) for i in range(8)],
        TrainConfig(max_steps=3, **FAST),
        TrainConfig(max_steps=2, **FAST),
        echo=lambda s: None,
    )
    assert sorted(result["training"]["intermediate"]["kinds"]) == ["choice", "pair"]


@pytest.mark.slow
def test_checkpoint_resume_matches_an_uninterrupted_run(tiny_xlmr, tmp_path):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_xlmr))
    data = _toy_pairs(40)

    def run(ckpt, stop_at=None):
        model = load_head("pair", str(tiny_xlmr), num_labels=2, seed=0)

        def progress(step, loss):
            if stop_at and step == stop_at:
                raise KeyboardInterrupt("killed")

        cfg = TrainConfig(max_steps=5, checkpoint_dir=str(ckpt) if ckpt else None, save_every=1, **FAST)
        log = train(model, tok, data, cfg, progress=progress)
        return model, log

    straight, log_a = run(None)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "ckpt", stop_at=2)
    assert (tmp_path / "ckpt" / "checkpoint.pt").is_file()
    resumed, log_b = run(tmp_path / "ckpt")
    assert log_b["steps"] == 5 and log_a["losses"] == pytest.approx(log_b["losses"])
    for (name, a), (_, b) in zip(straight.state_dict().items(), resumed.state_dict().items(), strict=True):
        assert a.allclose(b, atol=1e-6), name


def test_bench_train_script_runs_at_tiny_size():
    """The real-size GPU benchmark script, smoke-run at tiny size on CPU (no timing is asserted)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "bench_train.py"
    res = subprocess.run(
        [
            sys.executable,
            str(script),
            "--shape",
            "tiny",
            "--steps",
            "2",
            "--device",
            "cpu",
            "--precision",
            "fp32",
            "--grad-accum",
            "1",
            "--seq",
            "32",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout[res.stdout.index("{") :])
    assert report["steps"] == 2 and report["parameters"] > 0 and report["peak_memory_mb"] > 0
