"""The ``attacks:`` section of a recipe: checks, plan steps and the runner stage.

Each entry attacks every trained run (condition x target x seed) on the target's clean evaluation sets, where
the attack applies to the target's kind (``ner-context`` only tagging targets, the QA attacks only span
targets; the others every kind). Outputs go to ``runs/<condition>/<target>/seed<N>/attacks/<label>/``, where
``xprep compare`` finds them. An entry's ``transfer_from`` names a condition whose runs' adversaries are also
scored on every other condition's run of the same target and seed (``transfer.json``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xprep.errors import RecipeError, XprepError


def validate_attacks(recipe: Any, file: str) -> None:
    """Recipe names, labels, budgets and lexicon needs of ``recipe.attacks``; a located RecipeError otherwise."""
    from xprep.attack.catalog import ATTACKS

    labels = [a.label for a in recipe.attacks]
    conditions = [c.name for c in recipe.conditions]
    for i, spec in enumerate(recipe.attacks):
        where = f"{file}: attacks[{i}]"
        try:
            attack = ATTACKS.get(spec.recipe)
        except XprepError as exc:
            raise RecipeError(exc.message, where=f"{where}.recipe", hint=exc.hint) from None
        from xprep.owned import check_name

        try:
            check_name(spec.label, "attack tag")  # it names a folder of every run
        except XprepError as exc:
            raise RecipeError(exc.message, where=f"{where}.tag", hint=exc.hint) from None
        if labels.count(spec.label) > 1:
            raise RecipeError(f"two attacks filed as '{spec.label}'", where=where, hint="set tag: NAME")
        if spec.budget < 1:
            raise RecipeError(f"budget must be at least 1, got {spec.budget}", where=f"{where}.budget")
        if attack.lexicon == "required" and not spec.lexicons:
            raise RecipeError(f"'{spec.recipe}' needs lexicons", where=f"{where}.lexicons",
                              hint="a folder of MUSE en-XX.txt files, or SRC-TGT=FILE")  # fmt: skip
        if spec.transfer_from and spec.transfer_from not in conditions:
            raise RecipeError(f"no condition '{spec.transfer_from}'", where=f"{where}.transfer_from",
                              hint=f"one of: {', '.join(conditions)}")  # fmt: skip


def attack_plan(recipe: Any, steps: list[Any], step_cls: type) -> list[Any]:
    """The attack steps of a planned recipe, after every training step (a transfer needs the other runs)."""
    from xprep.attack.catalog import ATTACKS
    from xprep.evaluate.xtreme import TARGETS

    runs = [s for s in steps if s.stage == "target"]
    clean: dict[str, dict[str, Any]] = {}
    for s in steps:
        if s.stage == "data" and s.folder.name == "clean":
            clean.setdefault(s.config["task"], {})[s.config["lang"]] = s
    out = []
    for spec in recipe.attacks:
        for run in runs:
            task = run.config["target"]
            if TARGETS.get(task).kind not in ATTACKS.get(spec.recipe).kinds or not clean.get(task):
                continue
            others = [r for r in runs if spec.transfer_from == run.config["condition"] and r is not run
                      and r.config["target"] == task and r.config["seed"] == run.config["seed"]]  # fmt: skip
            cfg = {**dataclasses.asdict(spec), "task": task, "langs": sorted(clean[task])}
            deps = [run, *(clean[task][lang] for lang in sorted(clean[task])), *others]
            out.append(step_cls("attack", f"{run.name} attack {spec.label}", run.folder / "attacks" / spec.label,
                                cfg, deps))  # fmt: skip
    return out


def run_attack_step(step: Any, ctx: Any, records_of: Callable[[Any], list]) -> dict[str, Any]:
    """Runner stage: attack the run with the clean sets of the step's dependencies; transfer where asked."""
    from xprep.attack.run import AttackConfig, attack_sets

    cfg = step.config
    run = step.deps[0]
    data = [d for d in step.deps if d.stage == "data"]
    evals = {d.config["lang"]: records_of(d) for d in data}
    attack = AttackConfig(cfg["recipe"], budget=cfg["budget"], seed=cfg["seed"], embed=tuple(cfg["embed"]),
                          limit=cfg["limit"], device=ctx.recipe.train.device)  # fmt: skip
    content = attack_sets(Path(run.folder), cfg["task"], evals, attack, step.folder, cfg["lexicons"],
                          progress=ctx.progress, echo=ctx.echo)  # fmt: skip
    for lang, m in content["metrics"].items():
        ctx.echo(f"  {lang}: under attack {m['accuracy_under_attack']}, success {m['attack_success_rate']}%")
    others = [d.folder for d in step.deps[1:] if d.stage == "target"]
    if others:
        from xprep.attack.compare import transfer

        transfer(step.folder, cfg["task"], others, ctx.recipe.train.device)
    return {"attack": str(step.folder / "attack.json")}
