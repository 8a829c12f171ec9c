"""Goal functions per task kind: how close a model output is to the attack's goal, and whether it is reached.

A goal turns the victim's output for a candidate into a :class:`Verdict`: ``score`` (higher is closer to the
goal; the search maximises it), ``success``, and ``item`` (the per-item correctness the robustness statistics
use: 1/0, F1, or the sentence's tagging score). An example whose *clean* verdict is already a success is
skipped and counted, as TextAttack does.

- ``classification`` (pair, choice): untargeted: success when the predicted label is not the gold one;
  score = 1 - p(gold), which orders candidates as the loss does;
- ``span-f1`` (span): success when the answer's F1 (the task's XTREME scorer: SQuAD v1.1, or MLQA v1 for MLQA;
  :func:`xprep.evaluate.scoring.span_item`) reaches 0; an F1 below 1 and below
  the clean F1 is a partial success; score = 1 - F1, ties broken by a lower confidence in the answer;
- ``tagging`` (tagging): success when the sentence's entity F1 (NER: gold ``B-``/``I-`` chunks, seqeval) or token
  accuracy (POS, or a sentence without entities) falls below ``threshold``; score = 1 - that value, ties broken
  by a lower mean probability of the gold tags.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from xprep.evaluate.metrics import seqeval_scores
from xprep.records import Record
from xprep.registry import Registry

TIE = 0.01  # weight of the tie-breaking confidence term: below any change of the primary term that matters


@dataclass(frozen=True)
class Verdict:
    score: float
    success: bool
    item: float


@dataclass(frozen=True)
class Goal:
    name: str
    kinds: tuple[str, ...]
    description: str
    judge: Callable[[Record, Mapping[str, Any], float, str], Verdict]


def _classification(rec: Record, out: Mapping[str, Any], threshold: float, task: str) -> Verdict:
    probs = out["probs"]
    gold = rec.label  # type: ignore[attr-defined]
    pred = max(range(len(probs)), key=lambda i: probs[i])
    return Verdict(1.0 - probs[gold], pred != gold, float(pred == gold))


def _span(rec: Record, out: Mapping[str, Any], threshold: float, task: str) -> Verdict:
    from xprep.evaluate.scoring import span_item

    f1 = span_item(task, out["answer"], [a["text"] for a in rec.answers], rec.lang)[1]  # type: ignore[attr-defined]
    return Verdict((1.0 - f1) + TIE * (1.0 - out["confidence"]), f1 == 0.0, f1)


def sentence_tag_score(pred: list[str], gold: list[str]) -> float:
    """Entity F1 of one sentence when its gold tags hold entities (B-/I-), else token accuracy."""
    if any(t[:2] in ("B-", "I-") for t in gold):
        return seqeval_scores([gold], [pred])["f1"]
    return sum(p == g for p, g in zip(pred, gold, strict=True)) / max(len(gold), 1)


def _tagging(rec: Record, out: Mapping[str, Any], threshold: float, task: str) -> Verdict:
    value = sentence_tag_score(list(out["tags"]), list(rec.tags))  # type: ignore[attr-defined]
    return Verdict((1.0 - value) + TIE * (1.0 - out["gold_prob"]), value < threshold, value)


GOALS: Registry[Goal] = Registry("attack goal")
GOALS.add("classification", Goal("classification", ("pair", "choice"), "change a correct prediction", _classification))
GOALS.add("span-f1", Goal("span-f1", ("span",), "answer F1 to 0 (F1 < 1: partial success)", _span))
GOALS.add("tagging", Goal("tagging", ("tagging",), "sentence entity F1 / token accuracy below a threshold", _tagging))

GOAL_OF_KIND = {"pair": "classification", "choice": "classification", "span": "span-f1", "tagging": "tagging"}


def partial(clean: Verdict, adv: Verdict) -> bool:
    """A span attack that lowered F1 below both 1 and the clean F1 without reaching 0."""
    return not adv.success and adv.item < 1.0 and adv.item < clean.item
