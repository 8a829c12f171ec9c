"""Robustness statistics over the same items evaluated clean and perturbed (the comparison's core).

For a condition (an intermediate-training arm) on one target task and language, ``clean`` and
``perturbed`` hold per-item correctness (1/0, or per-item F1 in [0, 1]) for the same items in the same order:

- drop: clean score minus perturbed score (absolute), and relative to the clean score;
- flip rate: share of items whose correctness changes between clean and perturbed;
- robust accuracy: share of items right on both;
- robustness gain of a condition over English intermediate training: drop_English - drop_condition, with a
  paired bootstrap confidence interval that resamples the same items for both conditions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any


def _check(*lists: Sequence[float]) -> int:
    n = len(lists[0])
    if n == 0 or any(len(x) != n for x in lists):
        raise ValueError("per-item lists must be non-empty and of the same length (the same items, in order)")
    return n


def robustness(clean: Sequence[float], perturbed: Sequence[float]) -> dict[str, float]:
    """Clean and perturbed scores (percent), drop, relative drop, flip rate and robust accuracy."""
    n = _check(clean, perturbed)
    c, p = 100 * sum(clean) / n, 100 * sum(perturbed) / n
    flips = sum((a >= 0.5) != (b >= 0.5) for a, b in zip(clean, perturbed, strict=True))
    robust = sum(a >= 0.5 and b >= 0.5 for a, b in zip(clean, perturbed, strict=True))
    return {
        "clean": round(c, 2),
        "perturbed": round(p, 2),
        "drop": round(c - p, 2),
        "relative_drop": round((c - p) / c, 4) if c else 0.0,
        "flip_rate": round(100 * flips / n, 2),
        "robust_accuracy": round(100 * robust / n, 2),
        "n": n,
    }


def robustness_gain(
    english: tuple[Sequence[float], Sequence[float]],
    condition: tuple[Sequence[float], Sequence[float]],
    samples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """drop_English - drop_condition (positive: the condition is more robust), with a paired bootstrap CI."""
    n = _check(english[0], english[1], condition[0], condition[1])

    def drop(pair: tuple[Sequence[float], Sequence[float]], idx: Sequence[int]) -> float:
        return 100 * sum(pair[0][i] - pair[1][i] for i in idx) / len(idx)

    everything = range(n)
    gain = drop(english, everything) - drop(condition, everything)
    rng = random.Random(seed)
    boots = []
    for _ in range(samples):
        idx = [rng.randrange(n) for _ in range(n)]  # the same resampled items for both conditions
        boots.append(drop(english, idx) - drop(condition, idx))
    boots.sort()
    lo = boots[int((1 - level) / 2 * samples)]
    hi = boots[min(samples - 1, int((1 + level) / 2 * samples))]
    return {
        "gain": round(gain, 2) + 0.0,  # + 0.0 turns -0.0 into 0.0
        "ci_low": round(lo, 2) + 0.0,
        "ci_high": round(hi, 2) + 0.0,
        "level": level,
        "samples": samples,
        "n": n,
    }


def entity_and_o_accuracy(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]]) -> dict[str, float]:
    """NER token accuracy on gold entity tokens and on gold O tokens separately (percent)."""
    ent = ent_ok = o = o_ok = 0
    for pred, gold in zip(predictions, golds, strict=True):
        for p, g in zip(pred, gold, strict=True):
            if g == "O":
                o += 1
                o_ok += p == g
            else:
                ent += 1
                ent_ok += p == g
    return {
        "entity_tokens": round(100 * ent_ok / ent, 2) if ent else 0.0,
        "o_tokens": round(100 * o_ok / o, 2) if o else 0.0,
    }
