"""`xprep run recipes/smoke.yaml` end to end; a rerun skips every step; a changed perturbation redoes only
what depends on it; `xprep train --condition` + `xprep evaluate --tag` feed `xprep compare` by hand."""

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xprep.cli import main

SMOKE = Path(__file__).resolve().parents[2] / "recipes" / "smoke.yaml"


def _markers(root: Path) -> dict[str, float]:
    found = list(root.rglob(".step.json")) + list(root.rglob("eval/*.json"))
    return {str(p): p.stat().st_mtime_ns for p in found}


@pytest.mark.slow
def test_smoke_recipe_end_to_end_then_rerun_skips(tmp_path):
    out = tmp_path / "smoke"
    runner = CliRunner()
    res = runner.invoke(main, ["run", str(SMOKE), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "0 skipped" in res.output
    for name in ("comparison.md", "comparison.csv", "heatmap.png", "clean_vs_perturbed.png", "plan.json"):
        assert (out / name).is_file(), name
    with (out / "comparison.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    recipe = yaml.safe_load(SMOKE.read_text())
    arms = {c["name"] for c in recipe["conditions"]}
    assert {r["arm"] for r in rows} == arms
    assert {r["lang"] for r in rows} == {"de", "es"}
    assert {r["perturbation"] for r in rows} == {p["name"] for p in recipe["perturbations"]}
    assert all(r["seeds"] == "3" for r in rows)
    assert all(r["gain"] != "" for r in rows if r["condition"] != "english")  # every other arm vs English
    # the perturbed sets carry the measured rate; evaluation files pair ids with per-item scores
    man = json.loads((out / "data" / "xnli" / "de" / "typos" / "manifest.json").read_text())
    assert 0 < man["computed"]["applied"]["rate"] <= 1
    ev = json.loads((out / "runs" / "english" / "xnli" / "seed0" / "eval" / "xnli.de.typos.json").read_text())
    assert len(ev["ids"]) == len(ev["items"]) == ev["n"] == 21
    assert "What tokenizer normalisation undoes" in (out / "comparison.md").read_text()

    before = _markers(out)
    res = runner.invoke(main, ["run", str(SMOKE), "--out", str(out), "--quiet", "--no-compare"])
    assert res.exit_code == 0, res.output
    assert "0 steps run" in res.output
    assert _markers(out) == before  # nothing was rewritten

    changed = yaml.safe_load(SMOKE.read_text())
    changed["perturbations"][0]["rate"] = 0.5  # typos only
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(changed))
    res = runner.invoke(main, ["run", str(path), "--out", str(out), "--quiet", "--no-compare"])
    assert res.exit_code == 0, res.output
    redone = [ln for ln in res.output.splitlines() if ln.startswith("[") and " skip " not in ln]
    # 2 perturbed sets (de, es) + their evaluation by 4 arms x 3 seeds
    assert len(redone) == 2 + 2 * 4 * 3, res.output
    assert all("typos" in ln for ln in redone)


@pytest.mark.slow
def test_manual_runs_feed_compare(tiny_xlmr, tmp_path):
    from xprep.tasks.targets import target_sample

    runner = CliRunner()
    sample = str(target_sample("xnli"))
    pert = tmp_path / "de-casing"
    res = runner.invoke(main, ["perturb", str(_records(tmp_path, sample)), "--perturbation", "casing", "--rate",
                               "0.5", "--task", "xnli", "--out", str(pert)])  # fmt: skip
    assert res.exit_code == 0, res.output
    for condition, inter in (("english", "mnli"), ("none", None)):
        run = tmp_path / "runs" / condition
        args = ["train", "--target", sample, "--target-task", "xnli", "--eval", f"de={sample}", "--model",
                str(tiny_xlmr), "--out", str(run), "--max-steps", "2", "--condition", condition]  # fmt: skip
        if inter:
            from xprep.tasks import TASKS, sample_path

            folder = tmp_path / "mnli-build"
            folder.mkdir(exist_ok=True)
            (folder / "records.jsonl").write_text(
                Path(_records(tmp_path, str(sample_path(TASKS.get("mnli"))), "mnli")).read_text()
            )
            args += ["--intermediate", str(folder)]
        res = runner.invoke(main, args)
        assert res.exit_code == 0, res.output
        res = runner.invoke(main, ["evaluate", str(run), "--task", "xnli", "--eval", f"de={pert}", "--tag", "casing"])
        assert res.exit_code == 0, res.output
        assert (run / "eval" / "xnli.de.casing.json").is_file()
    res = runner.invoke(main, ["compare", str(tmp_path / "runs"), "--samples", "50"])
    assert res.exit_code == 0, res.output
    assert "casing" in res.output and "english" in res.output
    with (tmp_path / "runs" / "comparison.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    none = next(r for r in rows if r["arm"] == "none")
    assert none["vs"] == "english:mnli-build" and none["gain"] != ""


def _records(tmp_path: Path, source: str, task: str = "xnli") -> Path:
    """A records.jsonl of the German XNLI sample (or an English task sample)."""
    from xprep.io import write_jsonl

    if task == "xnli":
        from xprep.tasks.targets import load_target

        records = load_target("xnli", "de", source)
    else:
        from xprep.tasks import load_task

        records = list(load_task(task, "train", source))
    path = tmp_path / f"{task}.records.jsonl"
    write_jsonl(path, (r.to_dict() for r in records))
    return path
