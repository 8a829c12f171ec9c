"""recipes/offline-study.yaml shrunk to a few steps, on the same real files: every stage on real data.

The encoder is swapped for the tiny random XLM-R: e5-small's own path (built from the wheel, trained,
evaluated) is tested in tests/assets/test_e5.py, and two optimizer steps of it per run would cost minutes here.
"""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from ..conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is absent"),
    pytest.mark.skipif(shutil.which("apertium") is None, reason="Apertium (en->es) is not installed"),
]


def _shrunk(recipe: dict) -> dict:
    recipe["model"] = "tiny-xlmr"
    recipe["seeds"] = [0]
    recipe["train"].update(max_steps=2, batch_size=4, max_length=48)
    for cond in recipe["conditions"]:
        if "limit" in cond:
            cond["limit"] = 6
        for part in cond.get("native", []):
            part["limit"] = 6
    (target,) = recipe["targets"]
    target["limit"] = 6
    target["eval"] = {lang: target["eval"][lang] for lang in ("de", "hi")}
    recipe["retrieval"][0].update(langs=["deu"], limit=6, layer=None)  # the tiny encoder has 2 layers
    return recipe


def test_offline_study_shrunk(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from xprep.cli import main

    monkeypatch.chdir(ROOT)  # the recipe names ../shared/data relative to the project root
    recipe = _shrunk(yaml.safe_load((ROOT / "recipes" / "offline-study.yaml").read_text()))
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(recipe))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    evals = sorted(p.name for p in (out / "runs").rglob("eval/*.json"))
    for cond in ("none", "english", "translated", "native", "mixed"):
        for tag in ("clean", "typos", "diacritics", "code-switch"):
            assert (out / "runs" / cond / "udpos" / "seed0" / "eval" / f"udpos.hi.{tag}.json").is_file()
            assert (out / "runs" / cond / "tatoeba" / "seed0" / "eval" / f"tatoeba.deu.{tag}.json").is_file()
    assert len(evals) == 5 * (2 + 1) * 4
    translated = json.loads((out / "builds" / "translated" / "anli_plus" / "es" / ".step.json").read_text())
    assert translated["stage"] == "build"
    cs = json.loads((out / "data" / "tatoeba" / "code-switch" / ".step.json").read_text())
    assert cs["applied"]["tatoeba.deu-eng.deu"] > 0  # MUSE en-de read backwards reaches German words
    table = (out / "comparison.md").read_text()
    assert "tatoeba" in table and "udpos" in table
    again = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet"])
    assert again.exit_code == 0 and "0 steps run" in again.output, again.output
