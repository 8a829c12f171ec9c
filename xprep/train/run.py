"""Two phases, as in the study: intermediate task (head dropped afterwards) -> target task -> evaluation.

``run_two_phase`` fine-tunes the encoder on the intermediate records (skipped for the no-intermediate
baseline), saves it, loads it again under a fresh target head (the intermediate head is dropped), trains
on the target records and scores every evaluation set (one per language: zero-shot transfer). It writes
``results.json`` (task, language, metric, value, config, seeds, loss curves) and returns it. Both
phases checkpoint to ``out/checkpoints/<phase>`` (``save_every`` steps); rerunning the same command
after a kill resumes from there.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xprep import __version__
from xprep.records import PairRecord, Record, TaggingRecord
from xprep.train.loop import Task, TrainConfig, load_head, predict, score, share_encoder, train, train_tasks


def tag_labels_for(*groups: Sequence[Record]) -> list[str] | None:
    """The sorted tag set over tagging records (None for other kinds)."""
    tags = {t for group in groups for r in group if isinstance(r, TaggingRecord) for t in r.tags}
    return sorted(tags) if tags else None


class _bar:
    """A tqdm bar over optimizer steps showing the loss; a context manager that closes itself."""

    def __init__(self, phase: str, cfg: TrainConfig, n_records: int) -> None:
        import math
        import sys

        from tqdm import tqdm

        total = cfg.max_steps or max(1, math.ceil(n_records / cfg.batch_size / cfg.grad_accum * cfg.epochs))
        self.bar = tqdm(total=total, desc=phase, unit="step", file=sys.stderr, dynamic_ncols=True, mininterval=1.0)

    def __enter__(self) -> Callable[[int, float], None]:
        def update(step: int, loss: float) -> None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}")

        return update

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _num_labels(records: Sequence[Record]) -> int | None:
    return records[0].num_labels if isinstance(records[0], PairRecord) else None


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
) -> dict[str, Any]:
    """Train (intermediate ->) target, evaluate per language, write ``out/results.json``; return its content."""
    from transformers import AutoTokenizer

    out.mkdir(parents=True, exist_ok=True)
    cfg_i, cfg_t = cfg_intermediate or TrainConfig(), cfg_target or TrainConfig()
    # each phase checkpoints under the run folder, so a rerun of a killed run resumes where it stopped
    cfg_i = dataclasses.replace(cfg_i, checkpoint_dir=cfg_i.checkpoint_dir or str(out / "checkpoints" / "intermediate"))
    cfg_t = dataclasses.replace(cfg_t, checkpoint_dir=cfg_t.checkpoint_dir or str(out / "checkpoints" / "target"))
    tok = AutoTokenizer.from_pretrained(model)
    base = model
    logs: dict[str, Any] = {}
    if intermediate:
        by_kind: dict[str, list[Record]] = {}
        for rec in intermediate:
            by_kind.setdefault(rec.KIND, []).append(rec)
        tasks = []
        for kind, records in by_kind.items():
            labels = tag_labels_for(records)
            tasks.append(Task(load_head(kind, model, _num_labels(records), labels, cfg_i.seed), records, labels))
        share_encoder([t.model for t in tasks])
        t0 = time.perf_counter()
        with _bar("intermediate", cfg_i, len(intermediate)) as bar:
            logs["intermediate"] = train_tasks(tasks, tok, cfg_i, bar)
        logs["intermediate"].update(seconds=round(time.perf_counter() - t0, 2), kinds=list(by_kind))
        base = str(out / "intermediate")
        tasks[0].model.save_pretrained(base)  # its encoder is the shared one; the heads are dropped next
        tok.save_pretrained(base)
        echo(f"intermediate: {logs['intermediate']['steps']} steps, last loss {logs['intermediate']['losses'][-1]:.4f}")
    labels_t = tag_labels_for(target, *evals.values())
    model_t = load_head(target[0].KIND, base, _num_labels(target), labels_t, cfg_t.seed)
    t0 = time.perf_counter()
    with _bar("target", cfg_t, len(target)) as bar:
        logs["target"] = train(model_t, tok, target, cfg_t, labels_t, bar)
    logs["target"]["seconds"] = round(time.perf_counter() - t0, 2)
    model_t.save_pretrained(out / "target")
    tok.save_pretrained(out / "target")
    echo(f"target: {logs['target']['steps']} steps, last loss {logs['target']['losses'][-1]:.4f}")
    rows = []
    for lang, records in evals.items():
        preds = predict(model_t, tok, records, cfg_t, labels_t)
        for metric, value in score(records, preds, lang).items():
            rows.append(
                {
                    "task": (names or {}).get("target", target[0].KIND),
                    "lang": lang,
                    "metric": metric,
                    "value": value,
                    "n": len(records),
                }
            )
        (out / f"predictions.{lang}.json").write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    result = {
        "xprep_version": __version__,
        "model": model,
        "names": names or {},
        "config": {"intermediate": cfg_i.as_dict() if intermediate else None, "target": cfg_t.as_dict()},
        "seeds": {"intermediate": cfg_i.seed if intermediate else None, "target": cfg_t.seed},
        "training": logs,
        "results": rows,
        "note": "tagging f1 is chunk F1 as XTREME computes it; for POS it equals token accuracy",
    }
    (out / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def evaluate_run(
    run: Path, task: str, evals: dict[str, Sequence[Record]], rescore: bool = False, device: str = "cpu"
) -> list[dict[str, Any]]:
    """Score a run's target model on ``evals`` (one record list per language), or with ``rescore`` re-score
    the predictions saved in ``run/predictions.{lang}.json``. Writes ``run/results.{task}.json``."""
    from xprep.errors import InputError

    saved = json.loads((run / "results.json").read_text(encoding="utf-8")) if (run / "results.json").is_file() else {}
    cfg = TrainConfig(**{**(saved.get("config", {}).get("target") or {}), "device": device})
    rows = []
    model = tok = labels = None
    for lang, records in evals.items():
        pred_file = run / f"predictions.{lang}.json"
        if rescore:
            if not pred_file.is_file():
                raise InputError("no saved predictions for this language", where=str(pred_file))
            preds = json.loads(pred_file.read_text(encoding="utf-8"))
            if len(preds) != len(records):
                raise InputError(f"{len(preds)} saved predictions for {len(records)} records", where=str(pred_file))
        else:
            if model is None:
                from transformers import AutoConfig, AutoTokenizer

                from xprep.train.loop import HEAD_CLASSES

                target_dir = run / "target" if (run / "target").is_dir() else run
                config = AutoConfig.from_pretrained(str(target_dir))
                labels = (
                    [config.id2label[i] for i in range(len(config.id2label))] if records[0].KIND == "tagging" else None
                )
                import transformers

                model = getattr(transformers, HEAD_CLASSES[records[0].KIND]).from_pretrained(str(target_dir))
                tok = AutoTokenizer.from_pretrained(str(target_dir))
            preds = predict(model, tok, records, cfg, labels)
            pred_file.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
        for metric, value in score(records, preds, lang).items():
            rows.append(
                {"task": task, "lang": lang, "metric": metric, "value": value, "n": len(records), "rescored": rescore}
            )
    (run / f"results.{task}.json").write_text(
        json.dumps({"task": task, "results": rows}, indent=2) + "\n", encoding="utf-8"
    )
    return rows
