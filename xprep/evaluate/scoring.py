"""Scores of one evaluation set, per task, with the scorer XTREME's ``evaluate.py`` uses for that task.

| task | headline | scorer (as in XTREME) | also reported |
| --- | --- | --- | --- |
| xnli, pawsx | accuracy | accuracy | |
| udpos | f1 | seqeval 1.2.2 chunk F1 over the raw UPOS tags (its quirks included) | precision, recall, token_accuracy |
| panx | f1 | seqeval 1.2.2 chunk F1 (BIO) | precision, recall, token_accuracy, entity_tokens, o_tokens |
| xquad, tydiqa | f1 | SQuAD v1.1 EM/F1 (English normalisation, for every language) | exact_match |
| mlqa | f1 | MLQA v1 EM/F1 (per-language normalisation) | exact_match |

Scores are percentages at full precision (tables round them). Targets that are not XTREME tasks are scored
by their kind with the same scorers (span: SQuAD v1.1). Per-item scores (the paired statistics' input)
are 1/0 for pair and choice, the item's official F1 for span, and the share of right tags for tagging.

Deliberate difference, named: a question without gold answers (``answers: []``; XTREME's sets have none,
and its scorers crash on one) is scored with SQuAD v2.0's rule, 1 when the prediction normalises to
nothing and 0 otherwise; the eval file counts such questions under ``scorer.unanswerable``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xprep.evaluate.metrics import (
    accuracy,
    mlqa_em,
    mlqa_f1,
    seqeval_scores,
    squad_em,
    squad_f1,
    squad_normalise,
)
from xprep.records import Record

QA_SCORER = {"xquad": "squad-v1.1", "tydiqa": "squad-v1.1", "mlqa": "mlqa-v1"}
KIND_SCORER = {"pair": "accuracy", "choice": "accuracy", "span": "squad-v1.1", "tagging": "seqeval-1.2.2"}


def scorer_for(task: str, kind: str) -> str:
    """The name of the scorer a task's numbers come from."""
    return QA_SCORER.get(task, KIND_SCORER[kind]) if kind == "span" else KIND_SCORER[kind]


def span_item(task: str, prediction: str, golds: Sequence[str], lang: str) -> tuple[float, float]:
    """(EM, F1) in [0, 1] of one answer with the task's scorer (see the module docstring for no gold)."""
    if not golds:
        right = float(not squad_normalise(prediction))
        return right, right
    if scorer_for(task, "span") == "mlqa-v1":
        return mlqa_em(prediction, golds, lang), mlqa_f1(prediction, golds, lang)
    return squad_em(prediction, golds), squad_f1(prediction, golds)


def _golds(record: Any) -> list[str]:
    return [a["text"] for a in record.answers]


def _tagging(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]]) -> dict[str, float]:
    flat_p = [t for p in predictions for t in p]
    flat_g = [t for g in golds for t in g]
    out = {k: 100 * v for k, v in seqeval_scores(golds, predictions).items()}
    out["token_accuracy"] = 100 * accuracy(flat_p, flat_g)
    if any(t[:2] in ("B-", "I-") for t in flat_g):  # NER: also entity tokens and O tokens apart
        from xprep.evaluate.robustness import entity_and_o_accuracy

        out.update(entity_and_o_accuracy(predictions, golds))
    return out


def score(task: str, records: Sequence[Record], predictions: Sequence[Any], lang: str) -> dict[str, float]:
    """The task's metrics in percent (see the table above); the headline first."""
    if len(records) != len(predictions):
        raise ValueError(f"{len(predictions)} predictions for {len(records)} records")
    kind = records[0].KIND
    if kind in ("pair", "choice"):
        return {"accuracy": 100 * accuracy(list(predictions), [r.label for r in records])}  # type: ignore[attr-defined]
    if kind == "span":
        pairs = [span_item(task, p, _golds(r), lang) for r, p in zip(records, predictions, strict=True)]
        n = len(pairs)
        return {"f1": 100.0 * sum(f for _, f in pairs) / n, "exact_match": 100.0 * sum(e for e, _ in pairs) / n}
    golds = [r.tags for r in records]  # type: ignore[attr-defined]
    for i, (p, g) in enumerate(zip(predictions, golds, strict=True)):
        if len(p) != len(g):
            raise ValueError(f"record {records[i].id}: {len(p)} predicted tags for {len(g)} tokens")
    return _tagging(predictions, golds)


def item_scores(task: str, records: Sequence[Record], predictions: Sequence[Any], lang: str) -> list[float]:
    """Per-item correctness in [0, 1], in record order."""
    kind = records[0].KIND
    out: list[float] = []
    for rec, pred in zip(records, predictions, strict=True):
        if kind in ("pair", "choice"):
            out.append(float(pred == rec.label))  # type: ignore[attr-defined]
        elif kind == "span":
            out.append(span_item(task, pred, _golds(rec), lang)[1])
        else:
            gold = rec.tags  # type: ignore[attr-defined]
            out.append(sum(p == g for p, g in zip(pred, gold, strict=True)) / max(len(gold), 1))
    return out


def scorer_info(task: str, records: Sequence[Record]) -> dict[str, Any]:
    """What an eval file records about its scorer: its name, and questions scored by the no-gold rule."""
    kind = records[0].KIND
    info: dict[str, Any] = {"name": scorer_for(task, kind)}
    if kind == "span":
        info["unanswerable"] = sum(not r.answers for r in records)  # type: ignore[attr-defined]
    return info
