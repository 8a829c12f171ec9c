"""Contract tests over every registry: each entry is complete, consistent with its name, and usable.

A new task, native dataset, XTREME target, MT family, check, aligner, projection method or attack part is
held to the same contract the moment it is registered. (Perturbations have their own contract test in
``tests/perturb/test_registry.py``.)
"""

from __future__ import annotations

import contextlib

import pytest

from xprep.attack.catalog import ATTACKS
from xprep.attack.constraints import CONSTRAINTS
from xprep.attack.goals import GOALS
from xprep.attack.search import SEARCHES
from xprep.attack.transforms import TRANSFORMATIONS
from xprep.errors import InputError, UnknownNameError
from xprep.languages import known_languages
from xprep.mt.families import FAMILIES
from xprep.native import NATIVE
from xprep.projection.align import ALIGNERS
from xprep.projection.methods import PROJECTORS, Attempt
from xprep.quality.checks import CHECKS
from xprep.registry import Registry
from xprep.tasks import TASKS, load_task, sample_path
from xprep.tasks.targets import TARGETS, load_target, target_sample

KINDS = {"pair", "choice", "span", "tagging", "retrieval"}
ALL = {
    "tasks": TASKS,
    "native": NATIVE,
    "targets": TARGETS,
    "families": FAMILIES,
    "checks": CHECKS,
    "aligners": ALIGNERS,
    "projectors": PROJECTORS,
    "attacks": ATTACKS,
    "constraints": CONSTRAINTS,
    "goals": GOALS,
    "searches": SEARCHES,
    "transformations": TRANSFORMATIONS,
}


@pytest.mark.parametrize("which", sorted(ALL))
def test_every_registry_names_its_entries_and_explains_unknown_names(which):
    reg: Registry = ALL[which]
    assert len(reg) > 0
    for name, item in reg.items():
        if hasattr(item, "name") and not isinstance(item, type):
            assert item.name == name, f"{which}: {name!r} is registered as {item.name!r}"
    first = reg.names()[0]
    with pytest.raises(UnknownNameError) as err:
        reg.get(first + "x")
    assert first in err.value.one_line()  # did-you-mean or the list of known names


@pytest.mark.parametrize("name", TASKS.names())
def test_every_task_loads_its_sample_as_valid_records_of_its_kind(name):
    spec = TASKS.get(name)
    assert spec.kind in KINDS and spec.description and spec.licence and spec.citation
    if spec.kind == "pair":
        assert spec.num_labels and spec.num_labels >= 2
    split = next(iter(spec.splits))
    records = list(load_task(name, split, sample_path(spec)))
    assert records, f"{name}: the embedded sample holds no records"
    for rec in records:
        assert spec.kind == rec.KIND and rec.check() == [], (name, rec.id, rec.check())


@pytest.mark.parametrize("name", NATIVE.names())
def test_every_native_dataset_declares_what_it_stands_in_for(name):
    spec = NATIVE.get(name)
    assert spec.kind in KINDS and spec.licence and spec.citation and spec.origin
    assert spec.stands_in_for in TASKS and TASKS.get(spec.stands_in_for).kind == spec.kind
    assert spec.langs == ("*",) or (spec.langs and set(spec.langs) <= known_languages()), spec.langs  # *: any
    assert spec.formats, f"{name}: neither a hub adapter nor a local loader"


@pytest.mark.parametrize("name", TARGETS.names())
def test_every_target_declares_metric_languages_and_loads_its_sample(name):
    spec = TARGETS.get(name)
    assert spec.kind in KINDS and spec.metric and spec.langs and spec.target_epochs > 0
    assert "en" in spec.langs or spec.kind == "retrieval"
    if spec.sample is None:
        return
    found = {}
    for lang in spec.langs:  # the sample holds some of the task's languages
        with contextlib.suppress(InputError):
            found[lang] = load_target(name, lang, target_sample(name))
    assert found, f"{name}: its sample holds none of its languages"
    assert all(spec.kind == r.KIND and r.check() == [] for recs in found.values() for r in recs)


@pytest.mark.parametrize("name", FAMILIES.names())
def test_every_mt_family_names_its_files_and_language_tokens(name):
    fam = FAMILIES.get(name)
    assert fam.description and fam.source_spm and fam.target_spm
    for lang in ("de", "zh"):
        token = fam.target_token(lang)
        assert token is None or (isinstance(token, str) and token.strip())


@pytest.mark.parametrize("name", CHECKS.names())
def test_every_check_scores_one_way(name):
    check = CHECKS.get(name)
    assert check.description
    assert (check.score is None) != (check.score_batch is None), f"{name}: exactly one of score / score_batch"


@pytest.mark.parametrize("name", ALIGNERS.names())
def test_every_aligner_is_a_class_with_align(name):
    cls = ALIGNERS.get(name)
    assert isinstance(cls, type) and callable(getattr(cls, "align", None))


@pytest.mark.parametrize("name", PROJECTORS.names())
def test_every_projection_method_declares_its_needs_and_says_why_it_failed(name):
    p = PROJECTORS.get(name)
    assert p.doc and callable(p.locate)
    span, why = p.locate(Attempt("Paris is big.", 0, "Paris", "Xyz qwv.", hint="Abcdef"))
    assert span is None and why, f"{name}: a failure names its reason"
    span, _ = p.locate(Attempt("Paris is big.", 0, "Paris", "Paris ist gross.", hint="Paris"))
    if not (p.needs_aligner or p.extra_requests):  # these need an alignment or marked translations first
        assert span == (0, 5)


@pytest.mark.parametrize("name", ATTACKS.names())
def test_every_attack_recipe_is_made_of_registered_parts(name):
    r = ATTACKS.get(name)
    assert r.description and set(r.kinds) <= KINDS
    assert all(t in TRANSFORMATIONS for t in r.transformations), r.transformations
    assert all(c in CONSTRAINTS for c in r.constraints), r.constraints
    assert r.search in SEARCHES and r.lexicon in ("required", "optional", "unused")
    assert any(set(GOALS.get(g).kinds) & set(r.kinds) for g in GOALS.names()), f"{name}: no goal for its kinds"
