"""Checkpoints load with weights_only=True and carry every generator; fp16 has a GradScaler; predict in
length-sorted batches returns what one-at-a-time prediction returns."""

import random

import pytest
import torch

from xprep.errors import InputError
from xprep.records import PairRecord, TaggingRecord
from xprep.train.checkpoint import load_checkpoint, restore_rng, rng_state, save_checkpoint
from xprep.train.loop import TrainConfig, autocast, device_type, load_head, predict, train

FAST = dict(learning_rate=3e-3, batch_size=4, grad_accum=1, warmup=0.1, max_length=32, seed=0)
WORDS = ["the", "cat", "sat", "on", "mat", "keeper", "storm", "bees", "queen", "hive"]


def _pairs(n):
    rng = random.Random(0)
    return [
        PairRecord(
            id=f"p{i}",
            lang="en",
            text_a=" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12))),
            text_b="the cat",
            label=i % 2,
            num_labels=2,
        )
        for i in range(n)
    ]


def _draws(sampler):
    import numpy as np

    return (sampler.random(), random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_every_generator_survives_a_weights_only_round_trip(tmp_path):
    import numpy as np

    sampler = random.Random(7)
    random.seed(1)
    np.random.seed(2)
    torch.manual_seed(3)
    np.random.randn()  # a cached Gaussian is part of NumPy's state too
    save_checkpoint(tmp_path / "c.pt", {"models": [], "step": 0, "rng": rng_state(sampler)})
    expected = _draws(sampler)
    _draws(sampler)  # move every generator on
    state = load_checkpoint(tmp_path / "c.pt")  # torch.load(..., weights_only=True)
    restore_rng(state["rng"], sampler)
    assert _draws(sampler) == expected


class _Payload:
    pass


def test_a_pickled_object_is_refused(tmp_path):
    torch.save({"models": [], "step": 0, "x": _Payload()}, tmp_path / "evil.pt")
    with pytest.raises(InputError, match="cannot|safely"):
        load_checkpoint(tmp_path / "evil.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(InputError):
        load_checkpoint(tmp_path / "junk.pt")


def test_device_type_and_autocast_for_indexed_devices():
    assert device_type("cuda:1") == "cuda" and device_type("cpu") == "cpu"
    with autocast(TrainConfig(device="cpu", precision="bf16")):
        assert torch.ones(2, 2).matmul(torch.ones(2, 2)).dtype == torch.bfloat16
    with autocast(TrainConfig(device="cpu")):
        assert torch.ones(2, 2).matmul(torch.ones(2, 2)).dtype == torch.float32


@pytest.mark.slow
def test_final_checkpoint_without_optimizer_and_fp16_scaler(tiny_xlmr, tmp_path):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_xlmr))
    data = _pairs(16)

    def run(steps, ckpt, **kw):
        model = load_head("pair", str(tiny_xlmr), num_labels=2, seed=0)
        cfg = TrainConfig(max_steps=steps, checkpoint_dir=str(ckpt), save_every=100, **FAST, **kw)
        return train(model, tok, data, cfg)

    log = run(2, tmp_path / "a")
    state = load_checkpoint(tmp_path / "a" / "checkpoint.pt")
    assert state["opt"] is None and state["step"] == 2 and state["models"]
    assert run(2, tmp_path / "a")["losses"] == log["losses"]  # a finished run resumes as finished
    with pytest.raises(InputError, match="no optimizer state"):
        run(3, tmp_path / "a")
    fp16 = run(2, tmp_path / "b", precision="fp16", final_checkpoint=True)
    state = load_checkpoint(tmp_path / "b" / "checkpoint.pt")
    assert state["opt"] is not None and state["scaler"]["scale"] > 1  # the GradScaler ran and was saved
    assert all(loss == loss for loss in fp16["losses"])  # no NaN
    assert run(3, tmp_path / "b", precision="fp16", final_checkpoint=True)["steps"] == 3  # and it goes on


@pytest.mark.slow
def test_sorted_batched_prediction_equals_one_at_a_time(tiny_xlmr):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_xlmr))
    cfg = TrainConfig(max_length=32)
    pairs = _pairs(11)
    model = load_head("pair", str(tiny_xlmr), num_labels=2, seed=0)
    assert predict(model, tok, pairs, cfg, batch_size=4) == [predict(model, tok, [p], cfg)[0] for p in pairs]
    tags = [TaggingRecord(id=f"t{i}", lang="en", tokens=WORDS[: 2 + i], tags=["X"] * (2 + i)) for i in range(6)]
    labels = ["DET", "NOUN", "X"]
    tagger = load_head("tagging", str(tiny_xlmr), labels=labels, seed=0)
    batched = predict(tagger, tok, tags, cfg, labels, batch_size=4)
    assert [len(p) for p in batched] == [len(t.tokens) for t in tags]
    assert batched == [predict(tagger, tok, [t], cfg, labels)[0] for t in tags]


def test_an_older_checkpoint_layout_still_resumes(tmp_path):
    sampler = random.Random(5)
    torch.manual_seed(4)
    old = {"models": [], "step": 3, "rng": sampler.getstate(), "torch_rng": torch.get_rng_state()}
    torch.save(old, tmp_path / "old.pt")
    expected = (sampler.random(), float(torch.rand(1)))
    state = load_checkpoint(tmp_path / "old.pt")
    restore_rng(state["rng"], sampler)
    assert (sampler.random(), float(torch.rand(1))) == expected
