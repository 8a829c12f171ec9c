"""Recipes: strict YAML -> dataclasses -> an explicit plan of steps (what ``xprep run`` executes).

A recipe names an encoder, the intermediate *conditions* to compare (none / English / translated /
native / mixed), the XTREME *targets* with their evaluation languages, the *perturbations* and the
fine-tuning *seeds*. ``load_recipe`` reads it with ``yaml.safe_load`` and builds the dataclasses below;
an unknown key, a wrong type or an unknown name fails before any work with the file, the key path and
the allowed values. :func:`xprep.plan.plan` expands a recipe into typed steps (:mod:`xprep.steps`).
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import RecipeError, XprepError
from xprep.settings import CONDITIONS, TrainSettings, TranslateSettings, choices, condition_kind

_choices = choices


RETRIEVAL_TASKS = ("tatoeba", "bucc")


@dataclass(frozen=True)
class RetrievalSpec:
    """One retrieval evaluation: a folder in XTREME's layout and the language codes of its file names."""

    task: str  # tatoeba or bucc
    data: str  # folder with tatoeba.X-eng.{X,eng} or BUCC {lang}-en.{split}.{lang,en,gold}
    langs: list[str] = field(default_factory=list)
    layer: int | None = None  # None: 14/24 of the encoder's depth, as XTREME
    prefix: str = ""  # e5 models: "query: "
    limit: int | None = None  # tatoeba: first N pairs per language


TrainSection = TrainSettings  # the recipe's train: section (xprep/settings.py)
TranslateSection = TranslateSettings  # the recipe's translate: section


@dataclass(frozen=True)
class NativePart:
    name: str
    lang: str | None = None
    source: str | None = None  # a local file in the dataset's own layout (default: the hub)
    split: str = "train"
    limit: int | None = None  # the first N records


@dataclass(frozen=True)
class Condition:
    """One intermediate-training arm. ``kind`` defaults to ``name`` when that is a kind."""

    name: str
    kind: str | None = field(default=None, metadata=_choices(*CONDITIONS))
    tasks: list[str] = field(default_factory=list)  # english / translated: intermediate task names
    langs: list[str] = field(default_factory=list)  # translated: target languages
    source: str = field(default="hub", metadata=_choices("hub", "sample"))
    files: dict[str, str] = field(default_factory=dict)  # task -> local file (overrides source)
    split: str = "train"
    limit: int | None = None
    native: list[NativePart] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # mixed: names of the conditions pooled


@dataclass(frozen=True)
class Target:
    """An XTREME target task: English training data and zero-shot evaluation sets per language."""

    task: str
    train: str = "hub"  # hub, sample or a file in the task's original format
    eval: dict[str, str] = field(default_factory=dict)  # lang -> hub, sample or file
    langs: list[str] = field(default_factory=list)  # shorthand: these languages from the hub ([all]: XTREME's)
    limit: int | None = None  # first N records of the training and of each evaluation set

    def eval_sets(self) -> dict[str, str]:
        """Language -> source of every evaluation set (``langs`` from the hub, then ``eval``)."""
        from xprep.tasks.targets import TARGETS

        langs = list(TARGETS.get(self.task).langs) if self.langs == ["all"] else self.langs
        return {**{lang: "hub" for lang in langs if lang != "en"}, **self.eval}


@dataclass(frozen=True)
class PerturbationSpec:
    name: str
    rate: float = 0.1
    seed: int = 0
    fields: list[str] | None = None
    lexicons: list[str] = field(default_factory=list)
    tag: str | None = None  # the name results are filed under (default: the perturbation's name)

    @property
    def label(self) -> str:
        return self.tag or self.name


@dataclass(frozen=True)
class AttackSpec:
    """One adversarial attack of every trained run (:mod:`xprep.attack.plan`)."""

    recipe: str  # codemix, charflip, qa-question, qa-distractor, ner-context
    budget: int = 200
    seed: int = 0
    lexicons: list[str] = field(default_factory=list)
    embed: list[str] = field(default_factory=list)
    limit: int | None = None  # first N examples of each evaluation set
    transfer_from: str | None = None  # a condition whose adversaries are also scored on the other conditions
    tag: str | None = None

    @property
    def label(self) -> str:
        return self.tag or self.recipe


@dataclass(frozen=True)
class Recipe:
    name: str
    model: str  # HF encoder folder or hub id, tiny-xlmr (built on the spot, random weights) or e5-small (offline)
    conditions: list[Condition]
    targets: list[Target]
    description: str = ""
    out: str | None = None  # default runs/<name>
    seeds: list[int] = field(default_factory=lambda: [0])
    perturbations: list[PerturbationSpec] = field(default_factory=list)
    attacks: list[AttackSpec] = field(default_factory=list)
    retrieval: list[RetrievalSpec] = field(default_factory=list)
    train: TrainSection = field(default_factory=TrainSection)
    translate: TranslateSection = field(default_factory=TranslateSection)

    def condition(self, name: str) -> Condition:
        return next(c for c in self.conditions if c.name == name)

    def root(self, base: Path | None = None) -> Path:
        return (base or Path.cwd()) / (self.out or f"runs/{self.name}")


# --- strict loading ------------------------------------------------------------------------------
def _fail(file: str, path: str, message: str, hint: str | None = None) -> RecipeError:
    return RecipeError(message, where=f"{file}: {path or '<top>'}", hint=hint)


def _coerce(value: Any, tp: Any, file: str, path: str) -> Any:
    """``value`` as type ``tp`` (dataclass, list, dict, optional, scalars) or a located RecipeError."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else _coerce(value, args[0], file, path)
    if dataclasses.is_dataclass(tp):
        return build_section(tp, value, file, path)
    if origin is list:
        if not isinstance(value, list):
            raise _fail(file, path, f"expected a list, got {type(value).__name__}")
        (item,) = typing.get_args(tp)
        return [_coerce(v, item, file, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _fail(file, path, f"expected a mapping, got {type(value).__name__}")
        key_t, val_t = typing.get_args(tp)
        return {_coerce(k, key_t, file, path): _coerce(v, val_t, file, f"{path}.{k}") for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise _fail(file, path, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(file, path, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        try:  # YAML 1.1 reads 1e-5 as a string
            return float(value) if not isinstance(value, bool) else float("x")
        except (TypeError, ValueError):
            raise _fail(file, path, f"expected a number, got {value!r}") from None
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise _fail(file, path, f"expected a string, got {value!r}")
        return str(value)
    raise TypeError(f"unsupported recipe field type {tp!r}")  # a bug in this module, not the user's


def build_section(cls: type, data: Any, file: str, path: str) -> Any:
    if not isinstance(data, dict):
        raise _fail(file, path, f"expected a mapping of {cls.__name__} settings, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            raise _fail(
                file,
                where,
                f"unknown key '{key}'",
                (f"did you mean '{close[0]}'? " if close else "") + f"allowed: {', '.join(fields)}",
            )
        val = _coerce(value, hints[key], file, where)
        allowed = fields[key].metadata.get("choices")
        if allowed and val is not None and val not in allowed:
            raise _fail(file, where, f"'{val}' is not allowed", f"one of: {', '.join(allowed)}")
        kwargs[key] = val
    missing = [
        n
        for n, f in fields.items()
        if n not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise _fail(file, path, f"missing key(s): {', '.join(missing)}")
    return cls(**kwargs)


def _check_name(registry: Any, name: str, file: str, path: str) -> None:
    try:
        registry.get(name)
    except XprepError as exc:
        raise _fail(file, path, exc.message, exc.hint) from None


def validate_recipe(recipe: Recipe, file: str) -> None:
    """Names and cross-references: tasks, targets, languages, perturbations, native datasets, mixed parts."""
    if not recipe.conditions:
        raise _fail(file, "conditions", "at least one condition is needed")
    if not recipe.targets:
        raise _fail(file, "targets", "at least one target is needed")
    if not recipe.seeds:
        raise _fail(file, "seeds", "at least one seed is needed")
    _validate_conditions(recipe, file)
    _validate_targets(recipe, file)
    _validate_perturbations(recipe, file)


def _validate_conditions(recipe: Recipe, file: str) -> None:
    from xprep.native import NATIVE
    from xprep.tasks import TASKS

    names = [c.name for c in recipe.conditions]
    for i, cond in enumerate(recipe.conditions):
        where = f"conditions[{i}]"
        if names.count(cond.name) > 1:
            raise _fail(file, f"{where}.name", f"condition '{cond.name}' appears twice")
        kind = condition_kind(cond)
        if kind not in CONDITIONS:
            raise _fail(file, f"{where}.kind", f"no kind for '{cond.name}'", f"kind: one of {', '.join(CONDITIONS)}")
        if kind in ("english", "translated"):
            if not cond.tasks:
                raise _fail(file, f"{where}.tasks", f"a {kind} condition needs intermediate tasks")
            for j, t in enumerate(cond.tasks):
                _check_name(TASKS, t, file, f"{where}.tasks[{j}]")
            for t in cond.files:
                if t not in cond.tasks:
                    raise _fail(file, f"{where}.files.{t}", f"'{t}' is not one of this condition's tasks")
        if kind == "translated" and not cond.langs:
            raise _fail(file, f"{where}.langs", "a translated condition needs target languages")
        if kind == "native":
            if not cond.native:
                raise _fail(file, f"{where}.native", "a native condition needs datasets")
            for j, part in enumerate(cond.native):
                _check_name(NATIVE, part.name, file, f"{where}.native[{j}].name")
        if kind == "mixed":
            if len(cond.parts) < 2:
                raise _fail(file, f"{where}.parts", "a mixed condition pools at least two other conditions")
            for j, p in enumerate(cond.parts):
                if p not in names or p == cond.name or condition_kind(recipe.condition(p)) in ("none", "mixed"):
                    raise _fail(
                        file, f"{where}.parts[{j}]", f"'{p}' is not an english, translated or native condition here"
                    )


def _validate_targets(recipe: Recipe, file: str) -> None:
    from xprep.tasks.targets import TARGETS

    for i, tgt in enumerate(recipe.targets):
        _check_name(TARGETS, tgt.task, file, f"targets[{i}].task")
        spec = TARGETS.get(tgt.task)
        if spec.kind == "retrieval":
            raise _fail(file, f"targets[{i}].task", "retrieval tasks are evaluated with `xprep evaluate`, not trained")
        if not tgt.eval_sets():
            raise _fail(file, f"targets[{i}].eval", "no evaluation languages", "langs: [de, es] or eval: {de: FILE}")
        for lang in tgt.eval_sets():
            if lang not in spec.langs:
                raise _fail(file, f"targets[{i}].eval.{lang}", f"XTREME's {tgt.task} has no language '{lang}'")
        for what, src in [("train", tgt.train), *((f"eval.{k}", v) for k, v in tgt.eval_sets().items())]:
            if src == "sample" and spec.sample is None:
                raise _fail(file, f"targets[{i}].{what}", f"{tgt.task} has no embedded sample", "hub or a file")


def _validate_perturbations(recipe: Recipe, file: str) -> None:
    from xprep.perturb.registry import PERTURBATIONS

    tags = [p.label for p in recipe.perturbations]
    for i, pert in enumerate(recipe.perturbations):
        _check_name(PERTURBATIONS, pert.name, file, f"perturbations[{i}].name")
        if tags.count(pert.label) > 1:
            raise _fail(file, f"perturbations[{i}]", f"two perturbations filed as '{pert.label}'", "set tag: NAME")
        if pert.label == "clean":
            raise _fail(file, f"perturbations[{i}].tag", "'clean' names the unperturbed sets")
        if pert.name == "code-switch" and not pert.lexicons:
            raise _fail(file, f"perturbations[{i}].lexicons", "code-switch needs lexicons (word<TAB>translation)")
