"""Recipes: strict parsing with located errors, every shipped recipe valid, hashes that change exactly
the steps that depend on a setting, and --dry-run writing nothing."""

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xprep.cli import main
from xprep.errors import RecipeError
from xprep.plan import plan
from xprep.recipe_load import load_recipe, parse_recipe

RECIPES = Path(__file__).resolve().parent.parent / "recipes"
BASE = {
    "name": "t",
    "model": "tiny-xlmr",
    "seeds": [0, 1],
    "conditions": [
        {"name": "none"},
        {"name": "english", "tasks": ["mnli"], "source": "sample"},
        {"name": "translated", "tasks": ["mnli"], "langs": ["es"], "source": "sample"},
        {"name": "mixed", "parts": ["english", "translated"]},
    ],
    "targets": [{"task": "xnli", "train": "sample", "eval": {"de": "sample", "es": "sample"}}],
    "perturbations": [{"name": "typos", "rate": 0.2}, {"name": "casing", "rate": 0.5}],
}


@pytest.mark.parametrize("path", sorted(RECIPES.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_recipes_parse_and_plan(path, tmp_path):
    recipe = load_recipe(path)
    steps = plan(recipe, tmp_path)
    assert steps and all(s.status() == "to do" for s in steps)
    stages = {s.stage for s in steps}
    assert {"target", "evaluate", "data"} <= stages
    # every evaluation set is scored by every (condition, target, seed)
    runs = [s for s in steps if s.stage == "target"]
    assert len(runs) == len(recipe.conditions) * len(recipe.seeds) * len(recipe.targets)


def test_recipes_cover_the_study():
    names = {p.stem for p in RECIPES.glob("*.yaml")}
    assert {"phang2020", "translate-train", "native", "robustness", "smoke"} <= names
    phang = load_recipe(RECIPES / "phang2020.yaml")
    tasks = {t for c in phang.conditions for t in c.tasks}
    assert tasks == {
        "anli_plus",
        "mnli",
        "qqp",
        "squad_v2",
        "hellaswag",
        "ccg",
        "cosmosqa",
        "socialiqa",
        "commonsenseqa",
    }
    robust = load_recipe(RECIPES / "robustness.yaml")
    assert len(robust.seeds) >= 3 and len(robust.perturbations) >= 3
    assert {c.kind or c.name for c in robust.conditions} >= {"english", "translated", "native"}


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: d.update(seedz=[0]), "unknown key 'seedz' (did you mean 'seeds'?"),
        (lambda d: d["conditions"][1].update(tasks=["mnlii"]), "conditions[1].tasks[0]"),
        (lambda d: d["conditions"][1].update(source="web"), "one of: hub, sample"),
        (lambda d: d.update(seeds="0"), "t.yaml: seeds: expected a list"),
        (lambda d: d["targets"][0]["eval"].update(xx="hub"), "has no language 'xx'"),
        (lambda d: d["targets"][0].update(task="pawsx", train="sample"), "pawsx has no embedded sample"),
        (lambda d: d["conditions"][3].update(parts=["english", "none"]), "conditions[3].parts[1]"),
        (lambda d: d["perturbations"].append({"name": "code-switch"}), "code-switch needs lexicons"),
        (lambda d: d["perturbations"].append({"name": "typos"}), "two perturbations filed as 'typos'"),
        (lambda d: d["conditions"].append({"name": "english"}), "appears twice"),
        (lambda d: d.pop("model"), "missing key(s): model"),
        (lambda d: d.update(train={"learning_rate": "fast"}), "train.learning_rate: expected a number"),
        (lambda d: d.update(train={"device": "tpu"}), "one of: cpu, cuda"),
    ],
)
def test_bad_recipes_fail_located(edit, needle):
    data = copy.deepcopy(BASE)
    edit(data)
    with pytest.raises(RecipeError) as err:
        parse_recipe(data, "t.yaml")
    assert needle in str(err.value)


def test_yaml_numbers_and_defaults():
    recipe = parse_recipe({**BASE, "train": {"learning_rate": "1e-5", "max_steps": 3}})  # YAML 1.1 reads 1e-5 as str
    assert recipe.train.learning_rate == 1e-5 and recipe.train.max_steps == 3
    assert recipe.translate.mt == "auto" and recipe.root(Path("/x")) == Path("/x/runs/t")


def _hashes(recipe, root):
    return {(s.stage, s.name): s.hash for s in plan(recipe, root)}


def test_a_setting_changes_exactly_the_steps_that_depend_on_it(tmp_path):
    recipe = parse_recipe(BASE)
    before = _hashes(recipe, tmp_path)
    perts = [dataclasses.replace(recipe.perturbations[0], rate=0.3), recipe.perturbations[1]]
    after = _hashes(dataclasses.replace(recipe, perturbations=perts), tmp_path)
    changed = {k for k, v in after.items() if before[k] != v}
    assert changed and all(stage in ("perturb", "evaluate") and "typos" in name for stage, name in changed)
    assert len([c for c in changed if c[0] == "perturb"]) == 2  # de and es
    lr = dataclasses.replace(recipe, train=dataclasses.replace(recipe.train, learning_rate=2e-5))
    changed = {k for k, v in _hashes(lr, tmp_path).items() if before[k] != v}
    assert {stage for stage, _ in changed} == {"intermediate", "target", "evaluate"}
    mt = dataclasses.replace(recipe, translate=dataclasses.replace(recipe.translate, beam_size=2))
    changed = {k for k, v in _hashes(mt, tmp_path).items() if before[k] != v}
    # the translated build, and downstream only what trains on it (translated and mixed)
    assert ("build", "translate mnli -> es") in changed
    assert not any("english" in name or name.startswith("none") for _, name in changed)
    assert any(name.startswith("mixed") for _, name in changed)


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(BASE))
    res = CliRunner().invoke(main, ["run", str(path), "--dry-run", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "intermediate english" in res.output and "to do" in res.output
    n_steps = len(plan(parse_recipe(BASE), tmp_path / "out"))
    assert f"{n_steps} steps, {n_steps} to do" in res.output
    assert not (tmp_path / "out").exists()


def test_bad_yaml_is_one_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n")
    res = CliRunner().invoke(main, ["run", str(path), "--dry-run"])
    assert res.exit_code == 2 and "not valid YAML" in res.output and len(res.output.strip().splitlines()) == 1


def test_steps_get_their_inputs_typed(tmp_path):
    data = {**BASE, "targets": [*BASE["targets"], {"task": "udpos", "langs": ["de", "es"]}]}
    steps = {s.name: s for s in plan(parse_recipe(data), tmp_path)}
    tagging, pair = steps["english -> udpos seed 0"], steps["english -> xnli seed 0"]
    # a tagging target's tag set spans its training and clean evaluation sets: read (an input), not hashed
    sets = [steps["udpos train"], steps["udpos de clean"], steps["udpos es clean"]]
    assert tagging.label_sets == sets
    assert all(s in tagging.inputs for s in sets) and steps["udpos de clean"] not in tagging.deps
    assert pair.label_sets == [] and pair.inputs == pair.deps == [
        steps["intermediate english"],
        steps["encoder tiny-xlmr"],
        steps["xnli train"],
    ]
    assert steps["intermediate mixed"].sources == [steps["english mnli"], steps["translate mnli -> es"]]
    assert steps["translate mnli -> es"].mt is steps["mt auto"]
    evaluate = steps["english xnli seed 1 de typos"]
    assert evaluate.run_step is steps["english -> xnli seed 1"] and evaluate.data is steps["xnli de typos"]
    assert evaluate.data.clean is steps["xnli de clean"]


def test_every_stage_has_a_step_kind():
    from xprep.plan import STEP_KINDS
    from xprep.steps.base import STAGES

    assert sorted({kind.stage for kind in STEP_KINDS}) == sorted(STAGES)
