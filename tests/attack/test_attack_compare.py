"""Attack and transfer rows in `xprep compare`: two arms attacked, one arm's adversaries scored on the other."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.attack.conftest import toy_pairs
from xprep.cli import main
from xprep.io import write_jsonl


def _arm(pair_run, root, condition, intermediate):
    folder = root / condition / "seed0"
    shutil.copytree(pair_run, folder)
    meta = json.loads((folder / "results.json").read_text())
    meta.update(condition=condition, names={**meta.get("names", {}), "intermediate": intermediate, "target": "xnli"})
    (folder / "results.json").write_text(json.dumps(meta))
    for path in (folder / "eval").glob("*.json"):  # file the clean evaluation under the task name
        content = json.loads(path.read_text())
        content["task"] = "xnli"
        path.write_text(json.dumps(content))
    return folder


def test_compare_shows_attack_and_transfer_rows_with_gain(pair_run, tmp_path):
    runs = tmp_path / "runs"
    english = _arm(pair_run, runs, "english", "mnli")
    translated = _arm(pair_run, runs, "translated", "mnli@de")
    data = tmp_path / "en.jsonl"
    write_jsonl(data, (r.to_dict() for r in toy_pairs(8, seed=1)))  # the ids of the runs' clean evaluation
    for run, extra in ((english, ["--transfer-to", str(translated)]), (translated, [])):
        res = CliRunner().invoke(main, ["attack", str(run), "--task", "xnli", "--eval", f"en={data}", "--recipe",
                                        "charflip", "--budget", "20", "--out", str(run / "attacks" / "charflip"),
                                        "--quiet", *extra])  # fmt: skip
        assert res.exit_code == 0, res.output
    moved = json.loads((english / "attacks" / "charflip" / "transfer.json").read_text())
    (key,) = moved["runs"]  # relative to the attack folder, like attack.json's run: the runs folder can move
    assert not Path(key).is_absolute() and (english / "attacks" / "charflip" / key).resolve() == translated.resolve()
    runs = Path(shutil.move(runs, tmp_path / "moved"))
    english, translated = runs / "english" / "seed0", runs / "translated" / "seed0"
    res = CliRunner().invoke(main, ["compare", str(runs), "--samples", "50"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader((runs / "comparison.csv").open()))
    attack = {(r["arm"], r["perturbation"]): r for r in rows if r["perturbation"].startswith(("attack:", "transfer:"))}
    assert set(attack) == {("english:mnli", "attack:charflip"), ("translated:mnli@de", "attack:charflip"),
                           ("translated:mnli@de", "transfer:charflip")}  # fmt: skip
    mine = attack[("translated:mnli@de", "attack:charflip")]
    assert mine["vs"] == "english:mnli" and float(mine["gain"]) == 0.0  # the same model attacked the same way
    assert float(mine["attack_success_rate"]) == float(
        attack[("english:mnli", "attack:charflip")]["attack_success_rate"]
    )
    # the English run's adversaries on the (identical) translated run score as they did on the English run
    own = json.loads((english / "attacks" / "charflip" / "attack.json").read_text())["metrics"]["en"]
    assert float(attack[("translated:mnli@de", "transfer:charflip")]["perturbed"]) == own["accuracy_under_attack"]
    assert "attack:charflip (success" in (runs / "comparison.md").read_text()
