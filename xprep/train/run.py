"""Two phases, as in the study: intermediate task (head dropped afterwards) -> target task -> evaluation.

The phases are separate functions so that a recipe can train one intermediate model and fine-tune it
on several targets and seeds: :func:`train_intermediate` fine-tunes the encoder on the intermediate
records and saves it (heads dropped); :func:`train_target` loads an encoder under a fresh target head and
trains it; :func:`evaluate_run` scores a trained run on evaluation sets (one per language, zero-shot),
writing one ``eval/{task}.{lang}.{tag}.json`` per set with the metrics, the per-item scores and the
predictions (``tag`` is ``clean`` or the name of a perturbation; the comparison pairs items by id).
:func:`run_two_phase` chains the three and writes ``results.json``. Both phases checkpoint to
``out/checkpoints/<phase>`` (``save_every`` steps); rerunning the same command after a kill resumes.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from xprep import __version__
from xprep.errors import InputError
from xprep.evaluate.scoring import item_scores, score, scorer_info
from xprep.io import write_text_atomic
from xprep.progress import bars_enabled, quiet_loading
from xprep.records import PairRecord, Record, TaggingRecord
from xprep.settings import CONDITIONS
from xprep.train.distributed import Processes, run_phase
from xprep.train.loop import (
    Task,
    TrainConfig,
    load_head,
    predict,
    share_encoder,
    train,
    train_tasks,
)


def tag_labels_for(*groups: Sequence[Record]) -> list[str] | None:
    """The sorted tag set over tagging records (None for other kinds)."""
    tags = {t for group in groups for r in group if isinstance(r, TaggingRecord) for t in r.tags}
    return sorted(tags) if tags else None


class _bar:
    """A tqdm bar over optimizer steps showing the loss; a context manager that closes itself."""

    def __init__(self, phase: str, cfg: TrainConfig, n_records: int, show: bool = True) -> None:
        import math
        import sys

        from tqdm import tqdm

        total = cfg.max_steps or max(1, math.ceil(n_records / cfg.batch_size / cfg.grad_accum * cfg.epochs))
        self.bar = tqdm(total=total, desc=phase, unit="step", file=sys.stderr, dynamic_ncols=True, mininterval=1.0,
                        disable=not (show and bars_enabled()))  # fmt: skip

    def __enter__(self) -> Callable[[int, float], None] | None:
        def update(step: int, loss: float) -> None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}")

        return update if not self.bar.disable else None

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _num_labels(records: Sequence[Record]) -> int | None:
    return records[0].num_labels if isinstance(records[0], PairRecord) else None


def train_intermediate(
    model: str, records: Sequence[Record], cfg: TrainConfig, out: Path, echo: Callable[[str], None] = print
) -> dict[str, Any]:
    """Fine-tune ``model`` on intermediate records of one or several kinds (one head per kind, a shared
    encoder) and save the encoder and tokenizer to ``out`` (the heads are dropped); returns the log.
    Trains in ``cfg.processes`` processes (:mod:`xprep.train.distributed`)."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = dataclasses.replace(cfg, checkpoint_dir=cfg.checkpoint_dir or str(out / "checkpoints"))
    log = run_phase(_intermediate_phase, (model, records, cfg, out), cfg.processes, cfg.device)
    echo(f"intermediate: {log['steps']} steps, last loss {log['losses'][-1]:.4f}")
    return log


def _intermediate_phase(
    model: str, records: Sequence[Record], cfg: TrainConfig, out: Path, dist: Processes
) -> dict[str, Any]:
    """The intermediate phase in one of its processes; the main one saves the encoder and tokenizer."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model)
    by_kind: dict[str, list[Record]] = {}
    for rec in records:
        by_kind.setdefault(rec.KIND, []).append(rec)
    tasks = []
    for kind, group in by_kind.items():
        labels = tag_labels_for(group)
        tasks.append(Task(load_head(kind, model, _num_labels(group), labels, cfg.seed), group, labels))
    share_encoder([t.model for t in tasks])
    t0 = time.perf_counter()
    with _bar("intermediate", cfg, len(records), dist.main) as bar:
        log = train_tasks(tasks, tok, cfg, bar, dist)
    log.update(seconds=round(time.perf_counter() - t0, 2), kinds=list(by_kind), records=len(records))
    if dist.main:
        with quiet_loading():
            tasks[0].model.save_pretrained(out)  # its encoder is the shared one; the heads are dropped on loading
        tok.save_pretrained(out)
    return log


def train_target(
    base: str,
    target: Sequence[Record],
    cfg: TrainConfig,
    out: Path,
    labels: Sequence[str] | None,
    echo: Callable[[str], None] = print,
) -> tuple[Any, Any, dict[str, Any]]:
    """Load ``base`` under a fresh head for the target kind, train it on ``target`` and save it to
    ``out/target``; returns (model, tokenizer, log). With ``cfg.processes`` > 1 the processes train and save
    it, and the model returned is the one they saved (:mod:`xprep.train.distributed`)."""
    cfg = dataclasses.replace(cfg, checkpoint_dir=cfg.checkpoint_dir or str(out / "checkpoints" / "target"))
    trained: list[Any] = []  # the 1-process phase hands its model and tokenizer over here
    log = run_phase(_target_phase, (base, target, cfg, out, labels, trained), cfg.processes, cfg.device)
    model, tok = trained if trained else load_trained(out, target[0].KIND)[:2]
    echo(f"target: {log['steps']} steps, last loss {log['losses'][-1]:.4f}")
    return model, tok, log


def _target_phase(
    base: str,
    target: Sequence[Record],
    cfg: TrainConfig,
    out: Path,
    labels: Sequence[str] | None,
    trained: list[Any],
    dist: Processes,
) -> dict[str, Any]:
    """The target phase in one of its processes; the main one saves the model and tokenizer to ``out/target``
    (and, run in the calling process, puts them in ``trained``)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base)
    model = load_head(target[0].KIND, base, _num_labels(target), labels, cfg.seed)
    t0 = time.perf_counter()
    with _bar("target", cfg, len(target), dist.main) as bar:
        log = train(model, tok, target, cfg, labels, bar, dist)
    log["seconds"] = round(time.perf_counter() - t0, 2)
    if dist.main:
        with quiet_loading():
            model.save_pretrained(out / "target")
        tok.save_pretrained(out / "target")
        trained += [model, tok]
    return log


def eval_path(run: Path, task: str, lang: str, tag: str = "clean") -> Path:
    """Where a run's scores on one evaluation set live (inside ``run``: every part must be a plain name)."""
    from xprep.owned import check_name

    name = f"{task}.{lang}.{tag}.json"
    return run / "eval" / check_name(name, "evaluation file name")


def write_eval(
    run: Path,
    task: str,
    lang: str,
    tag: str,
    records: Sequence[Record],
    predictions: Sequence[Any],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Score ``predictions`` and write ``eval/{task}.{lang}.{tag}.json`` (metrics, ids, per-item scores,
    predictions, plus ``extra`` such as the perturbation and a configuration hash); returns its content."""
    content = {
        "task": task,
        "lang": lang,
        "tag": tag,
        "n": len(records),
        "metrics": score(task, records, predictions, lang),
        "scorer": scorer_info(task, records),
        "ids": [r.id for r in records],
        "items": [round(x, 4) for x in item_scores(task, records, predictions, lang)],
        "predictions": list(predictions),
        **dict(extra or {}),
    }
    write_text_atomic(eval_path(run, task, lang, tag), json.dumps(content, ensure_ascii=False) + "\n")
    return content


def _rows(content: Mapping[str, Any], **more: Any) -> list[dict[str, Any]]:
    return [
        {"task": content["task"], "lang": content["lang"], "tag": content["tag"], "metric": m, "value": v,
         "n": content["n"], **more}
        for m, v in content["metrics"].items()
    ]  # fmt: skip


def run_two_phase(
    model: str,
    out: Path,
    target: Sequence[Record],
    evals: dict[str, Sequence[Record]],
    intermediate: Sequence[Record] | None = None,
    cfg_intermediate: TrainConfig | None = None,
    cfg_target: TrainConfig | None = None,
    names: dict[str, str] | None = None,
    echo: Callable[[str], None] = print,
    condition: str | None = None,
) -> dict[str, Any]:
    """Train (intermediate ->) target, evaluate per language, write ``out/results.json``; return its content.

    ``condition`` (none, english, translated, native, mixed) is recorded for ``xprep compare``; by default
    it is ``none`` without intermediate records and unset otherwise.
    """
    if condition is not None and condition not in CONDITIONS:
        raise InputError(f"unknown condition {condition!r}", hint=f"one of {', '.join(CONDITIONS)}")
    out.mkdir(parents=True, exist_ok=True)
    cfg_i, cfg_t = cfg_intermediate or TrainConfig(), cfg_target or TrainConfig()
    cfg_i = dataclasses.replace(cfg_i, checkpoint_dir=cfg_i.checkpoint_dir or str(out / "checkpoints" / "intermediate"))
    logs: dict[str, Any] = {}
    base = model
    if intermediate:
        base = str(out / "intermediate")
        logs["intermediate"] = train_intermediate(model, intermediate, cfg_i, Path(base), echo)
    labels_t = tag_labels_for(target, *evals.values())
    task = (names or {}).get("target", target[0].KIND)
    model_t, tok, logs["target"] = train_target(base, target, cfg_t, out, labels_t, echo)
    rows = []
    for lang, records in evals.items():
        preds = predict(model_t, tok, records, cfg_t, labels_t)
        rows += _rows(write_eval(out, task, lang, "clean", records, preds))
    result = results_json(
        out,
        model=model,
        names=names or {},
        condition=condition or ("none" if not intermediate else None),
        config={"intermediate": cfg_i.as_dict() if intermediate else None, "target": cfg_t.as_dict()},
        seeds={"intermediate": cfg_i.seed if intermediate else None, "target": cfg_t.seed},
        training=logs,
        results=rows,
    )
    return result


def results_json(out: Path, **fields: Any) -> dict[str, Any]:
    """Write a run's ``results.json`` (version, names, condition, configs, seeds, logs, result rows)."""
    result = {
        "xprep_version": __version__,
        **fields,
        "note": "scores as XTREME's evaluate.py computes them (xprep.evaluate.scoring); UD-POS f1 is seqeval's chunk "
        "F1 over raw UPOS tags, with token_accuracy beside it",
    }
    (out / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def load_trained(run: Path, kind: str) -> tuple[Any, Any, list[str] | None]:
    """(model, tokenizer, tag labels) of a run's target model (``run/target``, or ``run`` itself)."""
    import transformers
    from transformers import AutoConfig, AutoTokenizer

    from xprep.train.loop import HEAD_CLASSES

    target_dir = run / "target" if (run / "target").is_dir() else run
    if not (target_dir / "config.json").is_file():
        raise InputError("no trained target model here", where=str(run), hint="a folder made by xprep train")
    config = AutoConfig.from_pretrained(str(target_dir))
    labels = [config.id2label[i] for i in range(len(config.id2label))] if kind == "tagging" else None
    with quiet_loading():
        model = getattr(transformers, HEAD_CLASSES[kind]).from_pretrained(str(target_dir))
    return model, AutoTokenizer.from_pretrained(str(target_dir)), labels


def evaluate_run(
    run: Path,
    task: str,
    evals: dict[str, Sequence[Record]],
    rescore: bool = False,
    device: str = "cpu",
    tag: str = "clean",
    extra: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Score a run's target model on ``evals`` (one record list per language), or with ``rescore`` re-score
    the predictions saved in ``eval/{task}.{lang}.{tag}.json``. Writes one eval file per language."""
    saved = json.loads((run / "results.json").read_text(encoding="utf-8")) if (run / "results.json").is_file() else {}
    cfg = TrainConfig(**{**(saved.get("config", {}).get("target") or {}), "device": device})
    rows = []
    model = tok = labels = None
    for lang, records in evals.items():
        path = eval_path(run, task, lang, tag)
        if rescore:
            if not path.is_file():
                raise InputError("no saved predictions for this set", where=str(path))
            old = json.loads(path.read_text(encoding="utf-8"))
            preds = old["predictions"]
            if len(preds) != len(records):
                raise InputError(f"{len(preds)} saved predictions for {len(records)} records", where=str(path))
            extra = {k: v for k, v in old.items() if k not in ("metrics", "ids", "items", "predictions", "n")}
        else:
            if model is None:
                model, tok, labels = load_trained(run, records[0].KIND)
            preds = predict(model, tok, records, cfg, labels)
        rows += _rows(write_eval(run, task, lang, tag, records, preds, extra), rescored=rescore)
    return rows
