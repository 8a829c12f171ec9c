"""Training in several processes: the same weights and evaluation files as one process (dropout off), resume
from a checkpoint in either, typed errors through the processes, and ``processes`` in no step's hash."""

import json
import random
import shutil
from dataclasses import replace

import pytest

from xprep.errors import InputError, RecipeError
from xprep.records import PairRecord, SpanRecord, TaggingRecord
from xprep.train.distributed import Processes, loss_terms
from xprep.train.loop import TrainConfig

TOLERANCE = 1e-5  # max abs difference of any weight, 1 vs 2 processes, at this learning rate (docs/training.md)
WORDS = ["the", "cat", "sat", "on", "mat", "keeper", "storm", "bees", "queen", "hive", "winter"]
# batch 3 over 2 processes: shares of 2 and 1 records; 7 and 11 records end each pass with a shorter batch
FAST = dict(learning_rate=1e-4, batch_size=3, grad_accum=2, warmup=0.25, max_length=32, seed=0)


def _pairs(n: int) -> list[PairRecord]:
    rng = random.Random(0)
    return [PairRecord(id=f"p{i}", lang="en", text_a=" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9))),
                       text_b="the cat", label=i % 2, num_labels=2) for i in range(n)]  # fmt: skip


def _spans(n: int) -> list[SpanRecord]:
    return [SpanRecord(id=f"s{i}", lang="en", question="Who lived there?",
                       context=f"The keeper number {i} lived on the island with the bees" + " and the queen" * (i % 4),
                       answers=[{"text": "The keeper", "start": 0}] if i % 3 else []) for i in range(n)]  # fmt: skip


def _tags(n: int) -> list[TaggingRecord]:
    rng = random.Random(1)
    tagged = [("the", "DET"), ("cat", "NOUN"), ("sat", "VERB"), ("on", "ADP"), ("mat", "NOUN"), ("storm", "NOUN")]
    out = []
    for i in range(n):
        words = [rng.choice(tagged) for _ in range(rng.randint(2, 7))]  # shares with different labelled counts
        out.append(TaggingRecord(id=f"t{i}", lang="en", tokens=[w for w, _ in words], tags=[t for _, t in words]))
    return out


def test_shares_cover_a_batch_in_order():
    for n in range(0, 9):
        owners = [i for i in range(n) for _ in range(1 + i % 3)]  # span records: one row per window
        for world in (1, 2, 3):
            shares = [Processes(r, world).share(owners, n) for r in range(world)]
            assert [s.start for s in shares[1:]] == [s.stop for s in shares[:-1]]  # contiguous, in order
            assert shares[0].start == 0 and shares[-1].stop == len(owners)
            records = [len(set(owners[s])) for s in shares]
            assert max(records) - min(records) <= 1


def test_loss_terms_per_head():
    import torch

    assert loss_terms(torch.tensor([0, 1, 1])) == 3  # pair, choice: records
    assert loss_terms(torch.tensor([[-100, 2, -100], [1, -100, -100]])) == 2  # tagging: labelled sub-tokens
    assert loss_terms({"start_positions": torch.tensor([0, 4]), "end_positions": torch.tensor([0, 5])}) == 2


def test_processes_is_in_no_step_hash(tmp_path):
    from xprep.plan import plan
    from xprep.recipe_load import parse_recipe

    base = {"name": "t", "model": "tiny-xlmr", "seeds": [0],
            "conditions": [{"name": "none"}, {"name": "english", "tasks": ["mnli"], "source": "sample"}],
            "targets": [{"task": "xnli", "train": "sample", "eval": {"de": "sample"}}]}  # fmt: skip
    hashes = [{s.name: s.hash for s in plan(parse_recipe({**base, "train": {"processes": n}}), tmp_path)}
              for n in (1, 2)]  # fmt: skip
    assert hashes[0] == hashes[1]
    assert hashes[0] == {s.name: s.hash for s in plan(parse_recipe(base), tmp_path)}
    assert {"intermediate", "target"} <= {s.stage for s in plan(parse_recipe(base), tmp_path)}
    with pytest.raises(RecipeError, match="train.processes"):
        parse_recipe({**base, "train": {"processes": 0}})


def test_bad_process_counts_are_user_errors():
    from xprep.train.distributed import check_processes

    with pytest.raises(InputError, match="at least 1"):
        check_processes(0, "cpu")
    with pytest.raises(InputError, match="GPUs"):
        check_processes(64, "cuda")


@pytest.fixture(scope="module")
def no_dropout(tiny_xlmr, tmp_path_factory):
    """The tiny XLM-R with dropout off: 1 and 2 processes draw different masks, so equality needs none."""
    out = tmp_path_factory.mktemp("xlmr-no-dropout") / "model"
    shutil.copytree(tiny_xlmr, out)
    config = json.loads((out / "config.json").read_text())
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    (out / "config.json").write_text(json.dumps(config))
    return out


def _weights(folder):
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def _max_diff(a, b) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k].float() - b[k].float()).abs().max()) for k in a)


@pytest.mark.slow
def test_two_processes_train_the_weights_of_one(no_dropout, tmp_path):
    pytest.importorskip("accelerate", reason="training in several processes needs accelerate")
    from xprep.train.run import run_two_phase

    results = {}
    for n in (1, 2):
        cfg_i = TrainConfig(max_steps=3, processes=n, **FAST)
        cfg_t = TrainConfig(max_steps=4, processes=n, save_every=2, **FAST)
        results[n] = run_two_phase(str(no_dropout), tmp_path / f"p{n}", _tags(11), {"en": _tags(6)},
                                   _pairs(7) + _spans(5), cfg_i, cfg_t, echo=lambda s: None)  # fmt: skip
    one, two = tmp_path / "p1", tmp_path / "p2"
    trained, init = _weights(one / "intermediate"), _weights(no_dropout)
    moved = max(float((trained[f"roberta.{k}"] - init[k]).abs().max()) for k in init if f"roberta.{k}" in trained)
    assert moved > 10 * TOLERANCE  # training changed the weights far more than the processes do
    assert _max_diff(_weights(one / "intermediate"), _weights(two / "intermediate")) < TOLERANCE
    assert _max_diff(_weights(one / "target"), _weights(two / "target")) < TOLERANCE
    assert (one / "eval" / "tagging.en.clean.json").read_bytes() == (
        two / "eval" / "tagging.en.clean.json"
    ).read_bytes()
    for phase in ("intermediate", "target"):
        a, b = results[1]["training"][phase], results[2]["training"][phase]
        assert a["steps"] == b["steps"] and a["batches_per_task"] == b["batches_per_task"]
        assert a["losses"] == pytest.approx(b["losses"], abs=TOLERANCE)
    assert results[2]["config"]["target"]["processes"] == 2
    # the main process wrote the checkpoint, with each process's generators; it loads weights-only
    from xprep.train.checkpoint import load_checkpoint

    state = load_checkpoint(two / "checkpoints" / "target" / "checkpoint.pt")
    assert state["step"] == 4 and len(state["rng_ranks"]) == 2
    assert "rng_ranks" not in load_checkpoint(one / "checkpoints" / "target" / "checkpoint.pt")


@pytest.mark.slow
def test_two_processes_resume_a_one_process_checkpoint(no_dropout, tmp_path):
    pytest.importorskip("accelerate", reason="training in several processes needs accelerate")
    from transformers import AutoTokenizer

    from xprep.train.loop import load_head, train
    from xprep.train.run import train_target

    data = _pairs(10)
    cfg = TrainConfig(max_steps=5, save_every=1, **FAST)

    def kill(step, loss):
        if step == 2:
            raise KeyboardInterrupt("killed")

    model = load_head("pair", str(no_dropout), 2, None, seed=0)  # as train_target builds it
    with pytest.raises(KeyboardInterrupt):
        train(
            model,
            AutoTokenizer.from_pretrained(str(no_dropout)),
            data,
            replace(cfg, checkpoint_dir=str(tmp_path / "c")),
            progress=kill,
        )
    logs = {}
    for n in (1, 2):
        shutil.copytree(tmp_path / "c", tmp_path / f"c{n}")
        resume = replace(cfg, processes=n, checkpoint_dir=str(tmp_path / f"c{n}"))
        logs[n] = train_target(str(no_dropout), data, resume, tmp_path / f"p{n}", None, echo=lambda s: None)[2]
    assert logs[1]["steps"] == logs[2]["steps"] == 5
    assert logs[1]["losses"] == pytest.approx(logs[2]["losses"], abs=TOLERANCE)
    assert _max_diff(_weights(tmp_path / "p1" / "target"), _weights(tmp_path / "p2" / "target")) < TOLERANCE
    # the checkpoint of a finished run (no optimizer state) is refused in the processes: the same typed error
    with pytest.raises(InputError, match="finished run"):
        train_target(str(no_dropout), data, replace(cfg, max_steps=7, processes=2, checkpoint_dir=str(tmp_path / "c2")),
                     tmp_path / "again", None, echo=lambda s: None)  # fmt: skip


def _abort_at_exit(dist) -> dict:
    """Finishes its work, then aborts while the interpreter shuts down (as gloo now and then does)."""
    import atexit
    import os

    atexit.register(os.abort)
    return {"rank": dist.rank}


def _abort_at_once(dist) -> dict:
    import os

    if dist.rank == 1:
        os.abort()
    return {"rank": dist.rank}


@pytest.mark.slow
def test_a_crash_in_teardown_after_the_work_does_not_fail_the_run(capsys):
    pytest.importorskip("accelerate", reason="training in several processes needs accelerate")
    from xprep.train.distributed import run_phase

    assert run_phase(_abort_at_exit, (), 2, "cpu") == {"rank": 0}
    assert "after every process had finished its work" in capsys.readouterr().err  # said, not hidden


@pytest.mark.slow
def test_a_crash_before_the_work_is_done_fails_the_run():
    pytest.importorskip("accelerate", reason="training in several processes needs accelerate")
    import torch.multiprocessing as mp

    from xprep.train.distributed import run_phase

    with pytest.raises(mp.ProcessExitedException):
        run_phase(_abort_at_once, (), 2, "cpu")
