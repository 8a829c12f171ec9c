"""Steps that train and score: intermediate training, target fine-tuning, evaluation and attacks of a run."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.recipes import AttackSpec, TrainSection
from xprep.steps.base import RunContext, Step
from xprep.steps.data import EncoderModel, PerturbData, TargetData, encoder_path


def hashed(settings: Any) -> dict[str, Any]:
    """A settings dataclass as it enters a step's hash: without the fields that change how, not what, it
    computes (metadata ``hashed=False``: the training processes)."""
    return {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.metadata.get("hashed", True)}


@dataclasses.dataclass(eq=False, kw_only=True)
class Intermediate(Step):
    """Intermediate training of one condition on the records of its builds."""

    stage = "intermediate"
    model: str  # the recipe's encoder
    encoder: EncoderModel | None
    sources: list[Step]  # the data and build steps whose records it trains on
    train: TrainSection
    seed: int

    @property
    def config(self) -> dict[str, Any]:
        return {"encoder": {"model": self.model}, "train": hashed(self.train), "seed": self.seed}

    @property
    def deps(self) -> list[Step]:
        return ([self.encoder] if self.encoder else []) + self.sources

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.train.run import train_intermediate

        records = [r for d in self.sources for r in d.records()]
        if not records:
            raise InputError("no intermediate records with projected labels", where=self.name)
        cfg = self.train.loop_config(self.train.intermediate_epochs, self.seed)
        log = train_intermediate(encoder_path(self.encoder, self.model), records, cfg, self.folder / "model", ctx.echo)
        return {"path": str(self.folder / "model"), "records": len(records), "steps": log["steps"]}


@dataclasses.dataclass(eq=False, kw_only=True)
class TargetRun(Step):
    """Fine-tuning one condition's model on one target task with one seed (a run folder)."""

    stage = "target"
    condition: str
    kind: str
    tasks: str  # what the condition trains on, for tables
    target: str
    seed: int
    model: str
    train: TrainSection
    recipe: str  # the recipe's name (results.json)
    encoder: EncoderModel | None
    intermediate: Intermediate | None
    data: TargetData  # the target's English training data
    label_sets: list[TargetData] = dataclasses.field(default_factory=list)  # tagging: the tag set spans these

    @property
    def config(self) -> dict[str, Any]:
        return {"condition": self.condition, "kind": self.kind, "tasks": self.tasks, "target": self.target,
                "seed": self.seed, "encoder": {"model": self.model},
                "train": hashed(self.train)}  # fmt: skip

    @property
    def deps(self) -> list[Step]:
        return [d for d in (self.intermediate, self.encoder) if d] + [self.data]

    @property
    def inputs(self) -> list[Step]:
        return self.deps + [s for s in self.label_sets if s is not self.data]

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.tasks.targets import TARGETS
        from xprep.train.run import results_json, tag_labels_for, train_target

        inter = self.intermediate
        base = inter.made()["path"] if inter else encoder_path(self.encoder, self.model)
        target = self.data.records()
        evals = [s.records() for s in self.label_sets] if target[0].KIND == "tagging" else []
        epochs = self.train.target_epochs or TARGETS.get(self.target).target_epochs
        tcfg = self.train.loop_config(epochs, self.seed)
        _, _, log = train_target(base, target, tcfg, self.folder, tag_labels_for(*evals), ctx.echo)
        shutil.rmtree(self.folder / "checkpoints", ignore_errors=True)  # finished: the saved model is what counts
        results_json(
            self.folder,
            model=self.model,
            names={"intermediate": self.tasks, "target": self.target, "arm": self.condition},
            condition=self.kind,
            config={"target": tcfg.as_dict(), "recipe": self.recipe},
            seeds={"intermediate": inter.seed if inter else None, "target": self.seed},
            training={"target": log},
            results=[],
        )
        return {"path": str(self.folder / "target")}


@dataclasses.dataclass(eq=False, kw_only=True)
class Evaluate(Step):
    """Scoring a run on one evaluation set (clean or perturbed); its marker is the eval file."""

    stage = "evaluate"
    shares_folder = True
    run_step: TargetRun
    data: TargetData | PerturbData
    task: str
    lang: str
    tag: str

    @property
    def config(self) -> dict[str, Any]:
        return {"task": self.task, "lang": self.lang, "tag": self.tag}

    @property
    def deps(self) -> list[Step]:
        return [self.run_step, self.data]

    @property
    def marker(self) -> Path:
        from xprep.train.run import eval_path

        return eval_path(self.folder, self.task, self.lang, self.tag)

    def mark(self, made: dict[str, Any]) -> None:
        """Nothing: write_eval stored the hash in the eval file."""

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.train.loop import TrainConfig, predict
        from xprep.train.run import load_trained, write_eval

        records = self.data.records()
        key = str(self.folder)
        if key not in ctx.loaded:
            ctx.loaded.clear()  # one run's model in memory at a time
            ctx.loaded[key] = load_trained(self.folder, records[0].KIND)
        model, tok, labels = ctx.loaded[key]
        cfg = TrainConfig(**{**json.loads((self.folder / "results.json").read_text())["config"]["target"]})
        preds = predict(model, tok, records, cfg, labels)
        made = self.data.made()
        extra = {"hash": self.hash, "source": made["records"], "perturbation": made.get("applied")}
        content = write_eval(self.folder, self.task, self.lang, self.tag, records, preds, extra)
        ctx.echo("  " + ", ".join(f"{m} {v}" for m, v in content["metrics"].items()))
        return {}


@dataclasses.dataclass(eq=False, kw_only=True)
class Attack(Step):
    """One attack of a run on its target's clean evaluation sets; adversaries of ``transfer_from`` runs
    are also scored on the others (``transfer.json``)."""

    stage = "attack"
    spec: AttackSpec
    task: str
    run_step: TargetRun
    clean: dict[str, TargetData]  # language -> clean evaluation set
    others: list[TargetRun]  # the runs its adversaries are transferred to
    device: str

    @property
    def config(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self.spec), "task": self.task, "langs": sorted(self.clean)}

    @property
    def deps(self) -> list[Step]:
        return [self.run_step, *(self.clean[lang] for lang in sorted(self.clean)), *self.others]

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.attack.run import AttackConfig, attack_sets

        s = self.spec
        evals = {lang: self.clean[lang].records() for lang in sorted(self.clean)}
        attack = AttackConfig(s.recipe, budget=s.budget, seed=s.seed, embed=tuple(s.embed), limit=s.limit,
                              device=self.device)  # fmt: skip
        content = attack_sets(Path(self.run_step.folder), self.task, evals, attack, self.folder, s.lexicons,
                              progress=ctx.progress, echo=ctx.echo)  # fmt: skip
        for lang, m in content["metrics"].items():
            ctx.echo(f"  {lang}: under attack {m['accuracy_under_attack']}, success {m['attack_success_rate']}%")
        if self.others:
            from xprep.attack.compare import transfer

            transfer(self.folder, self.task, [r.folder for r in self.others], self.device)
        return {"attack": str(self.folder / "attack.json")}
