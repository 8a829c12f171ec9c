"""The `attacks:` section of recipes: strict checks, plan steps, and an offline `xprep run` with attacks."""

from __future__ import annotations

import copy
import csv
import json

import pytest
import yaml
from click.testing import CliRunner

from xprep.cli import main
from xprep.errors import RecipeError
from xprep.plan import plan
from xprep.recipe_load import parse_recipe

RECIPE = {
    "name": "attack-smoke",
    "model": "tiny-xlmr",
    "seeds": [0],
    "train": {"learning_rate": 1e-3, "batch_size": 4, "grad_accum": 1, "max_length": 64, "intermediate_epochs": 2,
              "target_epochs": 4},
    "conditions": [{"name": "none"}, {"name": "english", "tasks": ["mnli"], "source": "sample", "limit": 16}],
    "targets": [{"task": "xnli", "train": "sample", "eval": {"de": "sample"}, "limit": 12}],
    "attacks": [{"recipe": "charflip", "budget": 12, "transfer_from": "english"}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: d["attacks"][0].update(recipe="charflp"), "did you mean 'charflip'"),
        (lambda d: d["attacks"][0].update(recipe="codemix"), "attacks[0].lexicons: 'codemix' needs lexicons"),
        (lambda d: d["attacks"][0].update(transfer_from="native"), "no condition 'native'"),
        (lambda d: d["attacks"][0].update(budget=0), "attacks[0].budget"),
        (lambda d: d["attacks"].append({"recipe": "charflip"}), "two attacks filed as 'charflip'"),
        (lambda d: d["attacks"][0].update(budgte=3), "unknown key 'budgte'"),
        (lambda d: d["attacks"][0].update(tag="../x"), "attacks[0].tag: attack tag '../x' cannot be used in a path"),
    ],
)
def test_bad_attack_sections_fail_before_any_work(edit, needle):
    data = copy.deepcopy(RECIPE)
    edit(data)
    with pytest.raises(RecipeError) as err:
        parse_recipe(data, "r.yaml")
    assert needle in str(err.value)


def test_plan_attacks_every_run_after_training_with_transfer_dependencies(tmp_path):
    data = copy.deepcopy(RECIPE)
    data["attacks"].append({"recipe": "qa-question"})  # a span attack: no XNLI step
    steps = plan(parse_recipe(data), tmp_path)
    attacks = [s for s in steps if s.stage == "attack"]
    assert [s.name for s in attacks] == [
        "none -> xnli seed 0 attack charflip",
        "english -> xnli seed 0 attack charflip",
    ]
    last_target = max(i for i, s in enumerate(steps) if s.stage == "target")
    assert all(steps.index(s) > last_target for s in attacks)
    english = attacks[1]
    assert [d.name for d in english.deps if d.stage == "target"] == ["english -> xnli seed 0", "none -> xnli seed 0"]
    assert english.folder == tmp_path / "runs" / "english" / "xnli" / "seed0" / "attacks" / "charflip"


@pytest.mark.slow
def test_run_recipe_with_attacks_then_compare(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(RECIPE))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    english = out / "runs" / "english" / "xnli" / "seed0" / "attacks" / "charflip"
    content = json.loads((english / "attack.json").read_text())
    assert content["metrics"]["de"]["n"] == 12 and all(
        q <= 12
        for q in [json.loads(x)["queries"] for x in (english / "de" / "examples.jsonl").read_text().splitlines()]
    )
    assert (english / "transfer.json").is_file()
    rows = list(csv.DictReader((out / "comparison.csv").open()))
    tags = {(r["arm"], r["perturbation"]) for r in rows}
    assert {("none", "attack:charflip"), ("english", "attack:charflip"), ("none", "transfer:charflip")} <= tags
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet", "--no-compare"])
    assert res.exit_code == 0 and "0 steps run" in res.output
