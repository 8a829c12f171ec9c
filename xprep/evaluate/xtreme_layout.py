"""Scoring folders in the layout XTREME's ``evaluate.py`` reads, and writing a run's predictions into it.

Layout (task folder names as XTREME spells them): ``TASK/test-LANG.tsv`` for xnli, pawsx (one label a line),
udpos, panx (one tag a line, a blank line after each sentence), tatoeba (one index a line), bucc2018
(``src<TAB>tgt`` lines); ``TASK/test-LANG.json`` for xquad, mlqa, tydiqa (predictions ``{id: answer}``, gold
in SQuAD format). :func:`score_folders` returns ``(overall, detailed)`` with the keys and values of
``evaluate.py``'s ``(overall_scores, detailed_scores)``: per task, metric -> language -> value, ``avg_<metric>``,
``avg_metric`` ((EM + F1) / 2 for QA), and per group the mean ``avg_metric`` when the group is complete.

Where ``evaluate.py`` asserts or crashes (a missing file, a count mismatch, an unanswerable question),
xprep stops with a one-line error instead; it also checks that every predicted sentence has as many tags as
its gold sentence (``evaluate.py`` checks only the number of sentences). A QA question without a prediction
scores 0, as in the official scripts, and is counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.evaluate.metrics import accuracy, mlqa_em, mlqa_f1, pair_set_scores, seqeval_scores, squad_em, squad_f1

# Languages and groups as XTREME's evaluate.py lists them (its TASK2LANGS and GROUP2TASK).
XTREME_LANGS: dict[str, tuple[str, ...]] = {
    "pawsx": tuple("de en es fr ja ko zh".split()),
    "xnli": tuple("ar bg de el en es fr hi ru sw th tr ur vi zh".split()),
    "panx": tuple(
        "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw yo my zh "
        "kk tr et fi hu".split()
    ),
    "udpos": tuple(
        "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi yo zh".split()
    ),
    "bucc2018": tuple("de fr ru zh".split()),
    "tatoeba": tuple(
        "ar he vi id jv tl eu ml ta te af nl de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw zh kk tr et fi "
        "hu".split()
    ),
    "xquad": tuple("en es de el ru tr ar vi th zh hi".split()),
    "mlqa": tuple("en es de ar hi vi zh".split()),
    "tydiqa": tuple("en ar bn fi id ko ru sw te".split()),
}
GROUPS = {
    "xtreme": {
        "classification": ("pawsx", "xnli"),
        "tagging": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("bucc2018", "tatoeba"),
    },
    # XTREME-R (Ruder et al. 2021): PAW-X and BUCC out, XCOPA, Mewsli-X and LAReQA in. xprep does not ship
    # XTREME-R's language lists: it averages over the languages whose gold files are present, and does not
    # score Mewsli-X or LAReQA (mAP@20 over their own candidate pools).
    "xtreme-r": {
        "classification": ("xnli", "xcopa"),
        "tagging": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("mewslix", "lareqa", "tatoeba"),
    },
}
QA_TASKS = ("xquad", "mlqa", "tydiqa")
UNSCORED = ("mewslix", "lareqa")
XTREME_NAMES = {"bucc": "bucc2018"}  # xprep's task names where XTREME spells them differently


# --- readers (evaluate.py's read_label, read_tag, read_squad) ----------------------------------------
def _text(path: Path) -> str:
    if not path.is_file():
        raise InputError("file not found", where=str(path))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", where=str(path)) from None


def read_labels(path: Path) -> list[str]:
    """One stripped label a line."""
    return [line.strip() for line in _text(path).splitlines()]


def read_tags(path: Path) -> list[list[str]]:
    """Sentences of tags: a blank line ends a sentence (two blank lines make an empty one, as in XTREME)."""
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in _text(path).splitlines():
        if line.strip():
            current.append(line.strip())
        else:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def read_squad(path: Path) -> Any:
    """The ``data`` list of a SQuAD-format file, or the whole object (a predictions file)."""
    try:
        doc = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (line {exc.lineno})", where=str(path)) from None
    return doc["data"] if isinstance(doc, dict) and "data" in doc else doc


# --- one task, one language --------------------------------------------------------------------------
def _qa(task: str, lang: str, gold: Any, predictions: Any, where: str) -> dict[str, float]:
    if not isinstance(predictions, dict):
        raise InputError("QA predictions must be one JSON object {question id: answer}", where=where)
    em = f1 = 0.0
    total = missing = 0
    try:
        questions = [qa for article in gold for para in article["paragraphs"] for qa in para["qas"]]
    except (KeyError, TypeError):
        raise InputError("gold is not SQuAD-format data (data[].paragraphs[].qas[])", where=where) from None
    for qa in questions:
        total += 1
        if qa["id"] not in predictions:
            missing += 1
            continue
        golds = [a["text"] for a in qa["answers"]]
        if not golds:
            raise InputError(f"question {qa['id']} has no gold answer: XTREME's scorers cannot score it", where=where)
        pred = str(predictions[qa["id"]])
        if task == "mlqa":
            em, f1 = em + mlqa_em(pred, golds, lang), f1 + mlqa_f1(pred, golds, lang)
        else:
            em, f1 = em + squad_em(pred, golds), f1 + squad_f1(pred, golds)
    if not total:
        raise InputError("no questions in the gold file", where=where)
    return {"exact_match": 100.0 * em / total, "f1": 100.0 * f1 / total, "_missing": missing}  # type: ignore[dict-item]


def _tagging(gold: list[list[str]], pred: list[list[str]], where: str) -> dict[str, float]:
    if len(gold) != len(pred):
        raise InputError(f"{len(pred)} predicted sentences for {len(gold)} gold sentences", where=where)
    for n, (g, p) in enumerate(zip(gold, pred, strict=True), 1):
        if len(g) != len(p):
            raise InputError(f"sentence {n}: {len(p)} predicted tags for {len(g)} gold tags", where=where)
    return {k: 100 * v for k, v in seqeval_scores(gold, pred).items()}


SCORED = (*XTREME_LANGS, "xcopa")


def score_files(
    task: str, lang: str, predictions: Path, gold: Path, warn: Callable[[str], None] = print
) -> dict[str, float]:
    """``evaluate.py``'s ``evaluate_one_task`` on two files: the task's metrics in percent."""
    task = XTREME_NAMES.get(task, task)
    if task not in SCORED:
        raise InputError(f"xprep scores no XTREME task {task!r}", hint=f"one of {', '.join(SCORED)}")
    where = str(predictions)
    if task in QA_TASKS:
        out = _qa(task, lang, read_squad(gold), read_squad(predictions), where)
        missing = out.pop("_missing")
        if missing:
            warn(f"note: {where}: {missing} questions have no prediction and score 0 (as in XTREME)")
        return out
    if task in ("udpos", "panx"):
        return _tagging(read_tags(gold), read_tags(predictions), where)
    labels, preds = read_labels(gold), read_labels(predictions)
    if task == "bucc2018":
        scores = pair_set_scores({tuple(x.split("\t")) for x in labels}, {tuple(x.split("\t")) for x in preds})
        return {k: 100 * v for k, v in scores.items()}
    if len(labels) != len(preds):
        raise InputError(f"{len(preds)} predictions for {len(labels)} gold labels", where=where)
    if not labels:
        raise InputError("no labels in the gold file", where=str(gold))
    return {"accuracy": 100 * accuracy(preds, labels)}


# --- whole folders -----------------------------------------------------------------------------------
def _langs(task: str, gold_dir: Path, version: str, partial: bool) -> list[str]:
    suffix = "json" if task in QA_TASKS else "tsv"
    present = sorted(p.name[5 : -len(suffix) - 1] for p in (gold_dir / task).glob(f"test-*.{suffix}"))
    if version == "xtreme-r" or task not in XTREME_LANGS:
        return present
    langs = list(XTREME_LANGS[task])
    return [lang for lang in langs if lang in present] if partial else langs


def _task_scores(
    task: str, langs: Sequence[str], pred_dir: Path, gold_dir: Path, warn: Callable[[str], None]
) -> dict[str, Any]:
    suffix = "json" if task in QA_TASKS else "tsv"
    if not langs:
        raise InputError(f"no gold test-LANG.{suffix} files", where=str(gold_dir / task))
    score: dict[str, Any] = {}
    for lang in langs:
        files = [d / task / f"test-{lang}.{suffix}" for d in (pred_dir, gold_dir)]
        for path in files:
            if not path.is_file():
                raise InputError(
                    f"file not found: XTREME scores {task} over all its languages", where=str(path),
                    hint="--partial averages over the languages present instead",
                )  # fmt: skip
        res = score_files(task, lang, *files, warn=warn)
        for metric, value in res.items():
            score.setdefault(metric, {})[lang] = value
    averages = {f"avg_{m}": sum(v.values()) / len(v) for m, v in score.items()}
    score.update(averages)
    if task in QA_TASKS:
        score["avg_metric"] = (score["avg_exact_match"] + score["avg_f1"]) / 2
    elif "avg_f1" in score:
        score["avg_metric"] = score["avg_f1"]
    elif "avg_accuracy" in score:
        score["avg_metric"] = score["avg_accuracy"]
    return score


def score_folders(
    pred_dir: Path, gold_dir: Path, version: str = "xtreme", partial: bool = False, warn: Callable[[str], None] = print
) -> tuple[dict[str, float], dict[str, Any]]:
    """``evaluate.py``'s ``evaluate(prediction_folder, label_folder)``: (overall scores, detailed scores).

    Every task with a folder on both sides is scored over all its XTREME languages (a missing file is an
    error), or with ``partial`` over the languages whose gold file is present (averages then differ from
    XTREME's). ``xtreme-r`` groups the tasks as XTREME-R does (see ``GROUPS``)."""
    if version not in GROUPS:
        raise InputError(f"unknown XTREME version {version!r}", hint=f"one of {', '.join(GROUPS)}")
    for path in (pred_dir, gold_dir):
        if not path.is_dir():
            raise InputError("not a folder", where=str(path))
    tasks = [t for group in GROUPS[version].values() for t in group]
    order = [t for t in XTREME_LANGS if t in tasks] + [t for t in tasks if t not in XTREME_LANGS]
    present = [t for t in order if (pred_dir / t).is_dir() and (gold_dir / t).is_dir()]
    for task in (t for t in present if t in UNSCORED):
        warn(f"note: {task} is not scored by xprep (mAP@20 over its own candidate pool); use XTREME-R's scorer")
    detailed = {t: _task_scores(t, _langs(t, gold_dir, version, partial), pred_dir, gold_dir, warn)
                for t in present if t not in UNSCORED}  # fmt: skip
    if not detailed:
        raise InputError(
            "no task folder found in both folders", where=f"{pred_dir} and {gold_dir}", hint="e.g. xnli/test-de.tsv"
        )
    overall: dict[str, float] = {}
    scored = set(detailed)
    if scored == {t for t in tasks if t not in UNSCORED} and version == "xtreme":
        overall["all_task"] = sum(detailed[t]["avg_metric"] for t in scored) / len(scored)
    for group, members in GROUPS[version].items():
        if set(members) <= scored:
            overall[group] = sum(detailed[t]["avg_metric"] for t in members) / len(members)
    return overall, detailed
