"""Real trained runs to attack: a tiny random-init XLM-R fine-tuned for seconds on toy tasks it can learn."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from xprep.records import PairRecord, SpanRecord, TaggingRecord

WORDS = ["the", "cat", "sat", "on", "mat", "lighthouse", "keeper", "storm", "queen", "hive", "winter", "island"]
FAST = dict(learning_rate=3e-3, batch_size=8, grad_accum=1, warmup=0.1, max_length=32, seed=0)


def toy_pairs(n: int, seed: int = 0, lang: str = "en") -> list[PairRecord]:
    """Label 1 iff 'bees' is in text_a: one word decides, so a tiny model learns it and an attack can hit it."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(6)]
        label = i % 2
        if label:
            words[rng.randrange(6)] = "bees"
        out.append(PairRecord(id=f"{lang}{seed}-{i}", lang=lang, text_a=" ".join(words), text_b="the cat sat",
                              label=label, num_labels=2))  # fmt: skip
    return out


def toy_spans(n: int, lang: str = "en") -> list[SpanRecord]:
    out = []
    for i in range(n):
        name = WORDS[i % len(WORDS)]
        ctx = f"The {name} keeper lived on the island. The storm came in winter."
        out.append(SpanRecord(id=f"s{i}", lang=lang, context=ctx, question="Who lived on the island?",
                              answers=[{"text": f"The {name} keeper", "start": 0}]))  # fmt: skip
    return out


def toy_tags(n: int, lang: str = "en") -> list[TaggingRecord]:
    out = []
    for i in range(n):
        a, b = WORDS[i % len(WORDS)], WORDS[(i + 3) % len(WORDS)]
        out.append(TaggingRecord(id=f"t{i}", lang=lang, tokens=["Maria", "saw", "the", a, "near", "Paris", b],
                                 tags=["B-PER", "O", "O", "O", "O", "B-LOC", "O"]))  # fmt: skip
    return out


def _train(tiny_xlmr: Path, out: Path, target: list, evals: dict, steps: int, max_length: int = 32) -> Path:
    from xprep.train.loop import TrainConfig
    from xprep.train.run import run_two_phase

    cfg = TrainConfig(max_steps=steps, **{**FAST, "max_length": max_length})
    run_two_phase(str(tiny_xlmr), out, target, evals, None, cfg, cfg, echo=lambda s: None, condition="none")
    return out


@pytest.fixture(scope="session")
def pair_run(tiny_xlmr: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pair run that learnt the toy rule (its accuracy on held-out toy pairs is checked by the tests)."""
    return _train(
        tiny_xlmr, tmp_path_factory.mktemp("attack") / "pair-run", toy_pairs(160), {"en": toy_pairs(8, 1)}, 80
    )


@pytest.fixture(scope="session")
def span_run(tiny_xlmr: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(
        tiny_xlmr, tmp_path_factory.mktemp("attack") / "span-run", toy_spans(24), {"en": toy_spans(4)}, 20, 96
    )


@pytest.fixture(scope="session")
def tag_run(tiny_xlmr: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tiny_xlmr, tmp_path_factory.mktemp("attack") / "tag-run", toy_tags(24), {"en": toy_tags(4)}, 20)
