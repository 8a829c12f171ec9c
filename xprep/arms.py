"""Runs grouped into arms, what the comparison report and its attack rows share.

A :class:`Run` is one trained run folder as ``xprep compare`` reads it; an *arm* is one intermediate-training
condition of a target (its runs are the fine-tuning seeds). The English reference of an arm is the English
arm trained on the same intermediate tasks (``mnli@es`` compares with ``mnli``), else the only English arm;
:func:`gain_columns` is the robustness gain over it with its paired bootstrap CI.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.evaluate.robustness import robustness_gain

Items = tuple[list[float], list[float]]  # per-item clean and perturbed (or attacked) scores


@dataclass
class Run:
    folder: Path
    arm: str
    condition: str
    intermediate: str
    target: str
    seed: int
    evals: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (lang, tag) -> eval content
    attacks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (lang, attack tag) -> scores


def arms_of(runs: Sequence[Run], target: str) -> dict[str, list[Run]]:
    """A target's runs by arm (in run order)."""
    arms: dict[str, list[Run]] = {}
    for r in (r for r in runs if r.target == target):
        arms.setdefault(r.arm, []).append(r)
    return arms


def in_report_order(arms: dict[str, list[Run]]) -> Iterator[tuple[str, list[Run]]]:
    """The arms as the report lists them: the no-intermediate arm first, then by name."""
    yield from sorted(arms.items(), key=lambda kv: (kv[1][0].condition != "none", kv[0]))


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard deviation over seeds, rounded to 2 places (sd 0 for one seed)."""
    return round(statistics.fmean(values), 2), round(statistics.stdev(values), 2) if len(values) > 1 else 0.0


def reference(arms: dict[str, list[Run]], arm: str) -> str | None:
    """The English arm an arm is compared with (same intermediate tasks, else the only English arm)."""
    english = [a for a, rs in arms.items() if rs[0].condition == "english"]
    if arm in english or not english:
        return None
    base = {t.split("@")[0] for t in arms[arm][0].intermediate.split(",")}
    same = [a for a in english if set(arms[a][0].intermediate.split(",")) == base]
    return same[0] if same else english[0] if len(english) == 1 else None


def gain_columns(ref: str, english: Items, mine: Items, samples: int, seed: int) -> dict[str, Any]:
    """The row's gain columns: drop(English) - drop(arm) on the same items, with its 95% paired bootstrap CI."""
    g = robustness_gain(english, mine, samples=samples, seed=seed)
    return {"vs": ref, "gain": g["gain"], "gain_ci_low": g["ci_low"], "gain_ci_high": g["ci_high"]}
