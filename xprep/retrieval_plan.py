"""The ``retrieval:`` section of a recipe: Tatoeba or BUCC with every condition's encoder, clean and perturbed.

Retrieval is not fine-tuned: each condition's intermediate encoder (the base encoder for ``none``) embeds
the sentences directly, as XTREME evaluates retrieval. The perturbations of the recipe that apply to
sentences (their registry entry declares the ``retrieval`` kind) are applied to the non-English side of the
folder (``xprep perturb --task tatoeba``). Scores go to ``runs/<condition>/<task>/seed0/eval/TASK.LANG.TAG.json``
with per-item correctness (one item per English query), so ``xprep compare`` reports them like a target.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xprep.errors import RecipeError
from xprep.perturb.registry import applies
from xprep.recipes import RETRIEVAL_TASKS, Condition, PerturbationSpec, Recipe, RetrievalSpec
from xprep.steps.base import RunContext, Step


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
    recipe: Recipe,
    root: Path,
    encoder: Step | None,
    inter: dict[str, Step],
    kind_of: Callable[[Condition], str],
    describe: Callable[[Condition], str],
) -> list[Step]:
    """Perturbed copies of each retrieval folder, then one retrieve step per (condition, task, tag), each
    embedding with the condition's intermediate encoder (``inter``) or the base ``encoder``; ``kind_of`` and
    ``describe`` name a condition's kind and tasks (the plan's own functions)."""
    out: list[Step] = []
    for spec in recipe.retrieval:
        sets: dict[str, RetrievalPerturb | None] = {"clean": None}
        for pert in recipe.perturbations:
            if not applies(pert.name, "retrieval", spec.task):
                continue
            folder = root / "data" / spec.task / pert.label
            sets[pert.label] = RetrievalPerturb(name=f"{spec.task} {pert.label}", folder=folder, spec=pert,
                                                task=spec.task, data=spec.data)  # fmt: skip
            out.append(sets[pert.label])
        for cond in recipe.conditions:
            for tag, data in sets.items():
                out.append(Retrieve(name=f"{cond.name} {spec.task} {tag}",
                                    folder=root / "runs" / cond.name / spec.task / "seed0", spec=spec, tag=tag,
                                    condition=cond.name, kind=kind_of(cond), tasks=describe(cond),
                                    model=recipe.model, recipe=recipe.name, seed=recipe.seeds[0],
                                    source=inter.get(cond.name) or encoder, perturbed=data))  # fmt: skip
    return out


@dataclass(eq=False, kw_only=True)
class RetrievalPerturb(Step):
    """One perturbation of the non-English side of a retrieval folder."""

    stage = "retrieval-perturb"
    spec: PerturbationSpec
    task: str
    data: str

    @property
    def config(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self.spec), "task": self.task, "data": self.data}

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.perturb.retrieval import perturb_retrieval

        p = self.spec
        man = perturb_retrieval(Path(self.data), self.folder, p.name, p.rate, p.seed, p.lexicons)
        applied = {name: a["rate"] for name, a in man["computed"]["applied"].items()}
        ctx.echo("  applied rate " + ", ".join(f"{k} {v}" for k, v in applied.items()))
        return {"folder": str(self.folder), "applied": applied}


@dataclass(eq=False, kw_only=True)
class Retrieve(Step):
    """One condition's encoder scored on one (clean or perturbed) retrieval folder; the steps of one
    condition's retrieval share its run folder, each with a marker of its own."""

    stage = "retrieve"
    shares_folder = True
    spec: RetrievalSpec
    tag: str
    condition: str
    kind: str
    tasks: str
    model: str
    recipe: str
    seed: int  # the recipe's first seed (results.json)
    source: Step | None  # the intermediate or built encoder (None: the recipe's model as given)
    perturbed: RetrievalPerturb | None

    @property
    def config(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self.spec), "tag": self.tag, "condition": self.condition, "kind": self.kind,
                "tasks": self.tasks, "encoder": {"model": self.model}}  # fmt: skip

    @property
    def deps(self) -> list[Step]:
        return [d for d in (self.source, self.perturbed) if d is not None]

    @property
    def marker(self) -> Path:
        return self.folder / f".step.{self.tag}.json"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        """Score the encoder; write the eval files and (once) the run folder's results.json."""
        from xprep.evaluate.retrieval import evaluate_bucc, evaluate_tatoeba

        spec = self.spec
        encoder = self.source.made()["path"] if self.source is not None else self.model
        data = Path(self.perturbed.made()["folder"]) if self.perturbed is not None else Path(spec.data)
        if spec.task == "tatoeba":
            rows = evaluate_tatoeba(encoder, data, spec.langs, spec.layer, spec.prefix, spec.limit)
        else:
            rows = evaluate_bucc(encoder, data, spec.langs, layer=spec.layer, prefix=spec.prefix)
        for row in rows:
            self._write_eval(row)
        self._results()
        ctx.echo("  " + ", ".join(f"{r['lang']} {r['metric']} {r['value']:.2f}" for r in rows))
        return {"values": {r["lang"]: r["value"] for r in rows}}

    def _write_eval(self, row: dict[str, Any]) -> None:
        """An eval file with one item per query (Tatoeba: English line i right when it retrieves line i)."""
        from xprep.io import write_text_atomic
        from xprep.train.run import eval_path

        preds = row["predictions"]
        if self.spec.task == "tatoeba":
            items = [float(p == i) for i, p in enumerate(preds)]
            ids = [str(i) for i in range(len(preds))]
        else:  # BUCC's score is over pairs, not items: one item per predicted pair, right when gold
            items, ids = [], []
        content = {"task": self.spec.task, "lang": row["lang"], "tag": self.tag, "n": row["n"],
                   "metrics": {row["metric"]: row["value"]}, "ids": ids, "items": items, "predictions": preds,
                   "hash": self.hash, "scorer": {"name": "xtreme-retrieval"}}  # fmt: skip
        path = eval_path(self.folder, self.spec.task, row["lang"], self.tag)
        write_text_atomic(path, json.dumps(content, ensure_ascii=False) + "\n")

    def _results(self) -> None:
        """The run folder's results.json (names the condition for ``xprep compare``), written once."""
        from xprep.train.run import results_json

        if (self.folder / "results.json").is_file():
            return
        spec = self.spec
        results_json(
            self.folder,
            model=self.model,
            names={"intermediate": self.tasks, "target": spec.task, "arm": self.condition},
            condition=self.kind,
            config={
                "retrieval": {"layer": spec.layer, "prefix": spec.prefix, "limit": spec.limit},
                "recipe": self.recipe,
            },  # fmt: skip
            seeds={"intermediate": self.seed, "target": 0},
            training={},
            results=[],
        )
