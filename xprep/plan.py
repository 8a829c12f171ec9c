"""A recipe expanded into its plan: typed steps (:mod:`xprep.steps`), inputs before the steps that use them.

Each step's hash covers its own settings and its inputs' hashes, so a step is redone exactly when something
it depends on changed (:mod:`xprep.runner`). ``--dry-run`` prints :func:`plan_table`.
"""

from __future__ import annotations

from pathlib import Path

from xprep.recipes import Condition, Recipe, Target
from xprep.retrieval_plan import RetrievalPerturb, Retrieve, retrieval_plan
from xprep.settings import BUILT_ENCODERS, condition_kind
from xprep.steps.base import Step
from xprep.steps.data import EncoderModel, EnglishData, MtModel, NativeBuild, PerturbData, TargetData, TranslateBuild
from xprep.steps.training import Attack, Evaluate, Intermediate, TargetRun

STEP_KINDS = (EncoderModel, MtModel, EnglishData, TargetData, PerturbData, NativeBuild, TranslateBuild, Intermediate,
              TargetRun, Evaluate, RetrievalPerturb, Retrieve, Attack)  # fmt: skip
DataSets = dict[tuple[str, str, str], TargetData | PerturbData]  # (task, lang or train, tag) -> its step


def plan(recipe: Recipe, root: Path) -> list[Step]:
    """Every step of ``recipe`` under ``root``, inputs before the steps that use them."""
    encoder = None
    if recipe.model in BUILT_ENCODERS:
        encoder = EncoderModel(name=f"encoder {recipe.model}", folder=root / "models" / "encoder", model=recipe.model)
    mt = _mt(recipe, root)
    builds: dict[str, list[Step]] = {}  # condition -> the steps whose records it trains on
    for cond in recipe.conditions:
        builds[cond.name] = _builds(recipe, cond, root, mt, builds)
    inter = {
        c.name: Intermediate(name=f"intermediate {c.name}", folder=root / "intermediate" / c.name, model=recipe.model,
                             encoder=encoder, sources=builds[c.name], train=recipe.train, seed=recipe.seeds[0])
        for c in recipe.conditions
        if condition_kind(c) != "none"
    }  # fmt: skip
    data: DataSets = {}
    for tgt in recipe.targets:
        data.update(_target_data(recipe, tgt, root))
    trained: list[Step] = []
    runs: list[TargetRun] = []
    for cond in recipe.conditions:
        for tgt in recipe.targets:
            for seed in recipe.seeds:
                run = _target_run(recipe, cond, tgt.task, seed, root, encoder, inter.get(cond.name), data)
                runs.append(run)
                trained += [run, *_evaluations(run, data)]
    made = [s for c in recipe.conditions if condition_kind(c) != "mixed" for s in builds[c.name]]
    steps = [*(m for m in (encoder, mt) if m), *made, *inter.values(), *data.values(), *trained]
    retrieval = retrieval_plan(recipe, root, encoder, dict(inter), condition_kind, describe)
    return steps + retrieval + _attacks(recipe, runs, data)


def _mt(recipe: Recipe, root: Path) -> MtModel | None:
    """The MT model step, when a translated condition uses ``translate.mt: auto|tiny``."""
    translated = [c for c in recipe.conditions if condition_kind(c) == "translated"]
    if not translated or recipe.translate.mt not in ("auto", "tiny"):
        return None
    langs = frozenset(lang for c in translated for lang in c.langs)
    return MtModel(name=f"mt {recipe.translate.mt}", folder=root / "models" / "mt", mt=recipe.translate.mt, langs=langs)


def _builds(recipe: Recipe, cond: Condition, root: Path, mt: MtModel | None, done: dict[str, list[Step]]) -> list[Step]:
    """The data and build steps of one condition (a mixed one pools its parts' steps)."""
    kind = condition_kind(cond)
    builds = root / "builds"
    if kind == "english":
        return [EnglishData(name=f"english {t}", folder=builds / "english" / t, task=t, split=cond.split,
                            source=cond.files.get(t, cond.source), limit=cond.limit) for t in cond.tasks]  # fmt: skip
    if kind == "translated":
        return [TranslateBuild(name=f"translate {t} -> {lang}", folder=builds / "translated" / t / lang, task=t,
                               lang=lang, split=cond.split, source=cond.files.get(t, cond.source), limit=cond.limit,
                               settings=recipe.translate, mt=mt)
                for t in cond.tasks for lang in cond.langs]  # fmt: skip
    if kind == "native":
        return [NativeBuild(name=f"native {p.name} {p.lang or ''}".strip(),
                            folder=builds / "native" / p.name / (p.lang or "default"), part=p)
                for p in cond.native]  # fmt: skip
    if kind == "mixed":
        return [s for p in cond.parts for s in done[p]]
    return []


def _target_data(recipe: Recipe, tgt: Target, root: Path) -> DataSets:
    """A target's English training data, its clean evaluation sets and their perturbations that apply."""
    from xprep.perturb.registry import applies
    from xprep.tasks.targets import TARGETS

    folder = root / "data" / tgt.task
    data: DataSets = {(tgt.task, "train", "clean"): TargetData(name=f"{tgt.task} train", folder=folder / "train",
                      task=tgt.task, lang="en", source=tgt.train, limit=tgt.limit, train=True)}  # fmt: skip
    for lang, src in tgt.eval_sets().items():
        clean = TargetData(name=f"{tgt.task} {lang} clean", folder=folder / lang / "clean", task=tgt.task, lang=lang,
                           source=src, limit=tgt.limit)  # fmt: skip
        data[(tgt.task, lang, "clean")] = clean
        for pert in recipe.perturbations:
            if applies(pert.name, TARGETS.get(tgt.task).kind, tgt.task):
                data[(tgt.task, lang, pert.label)] = PerturbData(name=f"{tgt.task} {lang} {pert.label}",
                    folder=folder / lang / pert.label, spec=pert, task=tgt.task, clean=clean)  # fmt: skip
    return data


def _target_run(recipe: Recipe, cond: Condition, task: str, seed: int, root: Path, encoder: EncoderModel | None,
                inter: Intermediate | None, data: DataSets) -> TargetRun:  # fmt: skip
    """One condition's fine-tuning on one target with one seed."""
    from xprep.tasks.targets import TARGETS

    tagging = TARGETS.get(task).kind == "tagging"  # its tag set spans the training and clean evaluation sets
    label_sets = [d for (t, _, tag), d in data.items() if t == task and tag == "clean"] if tagging else []
    return TargetRun(name=f"{cond.name} -> {task} seed {seed}", folder=root / "runs" / cond.name / task / f"seed{seed}",
                     condition=cond.name, kind=condition_kind(cond), tasks=describe(cond), target=task, seed=seed,
                     model=recipe.model, train=recipe.train, recipe=recipe.name, encoder=encoder, intermediate=inter,
                     data=data[(task, "train", "clean")], label_sets=label_sets)  # fmt: skip


def _evaluations(run: TargetRun, data: DataSets) -> list[Evaluate]:
    """A run scored on every evaluation set of its target, clean and perturbed."""
    return [Evaluate(name=f"{run.condition} {task} seed {run.seed} {lang} {tag}", folder=run.folder, run_step=run,
                     data=d, task=task, lang=lang, tag=tag)
            for (task, lang, tag), d in data.items() if task == run.target and lang != "train"]  # fmt: skip


def _attacks(recipe: Recipe, runs: list[TargetRun], data: DataSets) -> list[Attack]:
    """The attack steps, after every training step (a transfer needs the other runs)."""
    from xprep.attack.catalog import ATTACKS
    from xprep.tasks.targets import TARGETS

    out = []
    for spec in recipe.attacks:
        for run in runs:
            clean = {lang: d for (t, lang, tag), d in data.items() if t == run.target and tag == "clean"
                     and lang != "train"}  # fmt: skip
            if TARGETS.get(run.target).kind not in ATTACKS.get(spec.recipe).kinds or not clean:
                continue
            others = [r for r in runs if spec.transfer_from == run.condition and r is not run
                      and r.target == run.target and r.seed == run.seed]  # fmt: skip
            out.append(Attack(name=f"{run.name} attack {spec.label}", folder=run.folder / "attacks" / spec.label,
                              spec=spec, task=run.target, run_step=run, clean=clean, others=others,
                              device=recipe.train.device))  # fmt: skip
    return out


def describe(cond: Condition) -> str:
    """What a condition trains on, for tables: ``mnli``, ``mnli@es``, ``pawsx_native:de`` ..."""
    kind = condition_kind(cond)
    if kind == "translated":
        return ",".join(f"{t}@{lang}" for t in cond.tasks for lang in cond.langs)
    if kind == "native":
        return ",".join(f"{p.name}:{p.lang}" if p.lang else p.name for p in cond.native)
    if kind == "mixed":
        return "+".join(cond.parts)
    return ",".join(cond.tasks) or "none"


def plan_table(steps: list[Step]) -> list[list[str]]:
    """Rows for ``--dry-run``: stage, name, status, hash, folder."""
    return [[s.stage, s.name, s.status(), s.hash[:10], str(s.folder)] for s in steps]
