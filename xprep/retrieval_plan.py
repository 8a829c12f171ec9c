"""The ``retrieval:`` section of a recipe: Tatoeba or BUCC with every condition's encoder, clean and perturbed.

Retrieval is not fine-tuned: each condition's intermediate encoder (the base encoder for ``none``) embeds
the sentences directly, as XTREME evaluates retrieval. The perturbations of the recipe that apply to
sentences (not word-order or distractor) are applied to the non-English side of the folder
(``xprep perturb --task tatoeba``). Scores go to ``runs/<condition>/<task>/seed0/eval/TASK.LANG.TAG.json``
with per-item correctness (one item per English query), so ``xprep compare`` reports them like a target.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import RecipeError

RETRIEVAL_TASKS = ("tatoeba", "bucc")
NOT_FOR_SENTENCES = ("word-order", "distractor")


@dataclass(frozen=True)
class RetrievalSpec:
    """One retrieval evaluation: a folder in XTREME's layout and the language codes of its file names."""

    task: str  # tatoeba or bucc
    data: str  # folder with tatoeba.X-eng.{X,eng} or BUCC {lang}-en.{split}.{lang,en,gold}
    langs: list[str] = field(default_factory=list)
    layer: int | None = None  # None: 14/24 of the encoder's depth, as XTREME
    prefix: str = ""  # e5 models: "query: "
    limit: int | None = None  # tatoeba: first N pairs per language


def validate_retrieval(recipe: Any, file: str) -> None:
    """Task names, languages and data folders of ``recipe.retrieval``; a located RecipeError otherwise."""
    for i, spec in enumerate(recipe.retrieval):
        where = f"{file}: retrieval[{i}]"
        if spec.task not in RETRIEVAL_TASKS:
            raise RecipeError(f"unknown retrieval task {spec.task!r}", where=f"{where}.task",
                              hint=f"one of {', '.join(RETRIEVAL_TASKS)}")  # fmt: skip
        if not spec.langs:
            raise RecipeError("no languages", where=f"{where}.langs", hint="codes as in the file names: deu, fra")
        if spec.limit is not None and spec.limit < 1:
            raise RecipeError(f"limit must be at least 1, got {spec.limit}", where=f"{where}.limit")


def check_retrieval_data(recipe: Any, file: str) -> None:
    """Every retrieval folder exists (part of the checks of what a run needs from this machine)."""
    for i, spec in enumerate(recipe.retrieval):
        if not Path(spec.data).is_dir():
            raise RecipeError("not a folder", where=f"{file}: retrieval[{i}].data {spec.data}")


def retrieval_plan(
    recipe: Any, steps: list[Any], step_cls: type, root: Path, kind_of: Any, describe: Any
) -> list[Any]:
    """Perturbed copies of each retrieval folder, then one retrieve step per (condition, task, tag);
    ``kind_of`` and ``describe`` name a condition's kind and tasks (the recipe module's own functions)."""
    encoder = next((s for s in steps if s.stage == "model" and s.name.startswith("encoder")), None)
    inter = {s.name.removeprefix("intermediate "): s for s in steps if s.stage == "intermediate"}
    out: list[Any] = []
    for spec in recipe.retrieval:
        sets: dict[str, Any] = {"clean": None}
        for pert in recipe.perturbations:
            if pert.name in NOT_FOR_SENTENCES:
                continue
            cfg = {**dataclasses.asdict(pert), "task": spec.task, "data": spec.data}
            folder = root / "data" / spec.task / pert.label
            sets[pert.label] = step_cls("retrieval-perturb", f"{spec.task} {pert.label}", folder, cfg)
            out.append(sets[pert.label])
        for cond in recipe.conditions:
            source = inter.get(cond.name) or encoder
            for tag, data in sets.items():
                cfg = {**dataclasses.asdict(spec), "tag": tag, "condition": cond.name, "kind": kind_of(cond),
                       "tasks": describe(cond), "encoder": {"model": recipe.model}}  # fmt: skip
                deps = [d for d in (source, data) if d is not None]
                folder = root / "runs" / cond.name / spec.task / "seed0"
                out.append(step_cls("retrieve", f"{cond.name} {spec.task} {tag}", folder, cfg, deps))
    return out


def run_retrieval_perturb(step: Any, ctx: Any) -> dict[str, Any]:
    from xprep.evaluate.perturb_retrieval import perturb_retrieval

    cfg = step.config
    man = perturb_retrieval(Path(cfg["data"]), step.folder, cfg["name"], cfg["rate"], cfg["seed"], cfg["lexicons"])
    applied = {name: a["rate"] for name, a in man["computed"]["applied"].items()}
    ctx.echo("  applied rate " + ", ".join(f"{k} {v}" for k, v in applied.items()))
    return {"folder": str(step.folder), "applied": applied}


def run_retrieve(step: Any, ctx: Any, made: Any) -> dict[str, Any]:
    """Score one condition's encoder on one (clean or perturbed) retrieval folder; write its eval files."""
    from xprep.evaluate.retrieval import evaluate_bucc, evaluate_tatoeba

    cfg = step.config
    source = next((d for d in step.deps if d.stage in ("intermediate", "model")), None)
    encoder = made(source)["path"] if source is not None else ctx.recipe.model
    perturbed = next((d for d in step.deps if d.stage == "retrieval-perturb"), None)
    data = Path(made(perturbed)["folder"]) if perturbed is not None else Path(cfg["data"])
    if cfg["task"] == "tatoeba":
        rows = evaluate_tatoeba(encoder, data, cfg["langs"], cfg["layer"], cfg["prefix"], cfg["limit"])
    else:
        rows = evaluate_bucc(encoder, data, cfg["langs"], layer=cfg["layer"], prefix=cfg["prefix"])
    for row in rows:
        _write_eval(step, row)
    _results(step, ctx)
    ctx.echo("  " + ", ".join(f"{r['lang']} {r['metric']} {r['value']:.2f}" for r in rows))
    return {"values": {r["lang"]: r["value"] for r in rows}}


def _write_eval(step: Any, row: dict[str, Any]) -> None:
    """An eval file with one item per query (Tatoeba: English line i right when it retrieves line i)."""
    from xprep.io import write_text_atomic
    from xprep.train.run import eval_path

    preds = row["predictions"]
    if step.config["task"] == "tatoeba":
        items = [float(p == i) for i, p in enumerate(preds)]
        ids = [str(i) for i in range(len(preds))]
    else:  # BUCC's score is over pairs, not items: one item per predicted pair, right when gold
        items, ids = [], []
    content = {"task": step.config["task"], "lang": row["lang"], "tag": step.config["tag"], "n": row["n"],
               "metrics": {row["metric"]: row["value"]}, "ids": ids, "items": items, "predictions": preds,
               "hash": step.hash, "scorer": {"name": "xtreme-retrieval"}}  # fmt: skip
    path = eval_path(step.folder, step.config["task"], row["lang"], step.config["tag"])
    write_text_atomic(path, json.dumps(content, ensure_ascii=False) + "\n")


def _results(step: Any, ctx: Any) -> None:
    """The run folder's results.json (names the condition for ``xprep compare``), written once."""
    from xprep.train.run import results_json

    if (step.folder / "results.json").is_file():
        return
    cfg = step.config
    results_json(
        step.folder,
        model=ctx.recipe.model,
        names={"intermediate": cfg["tasks"], "target": cfg["task"], "arm": cfg["condition"]},
        condition=cfg["kind"],
        config={"retrieval": {k: cfg[k] for k in ("layer", "prefix", "limit")}, "recipe": ctx.recipe.name},
        seeds={"intermediate": ctx.recipe.seeds[0], "target": 0},
        training={},
        results=[],
    )
