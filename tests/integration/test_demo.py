"""`xprep demo`: the main job on the embedded default, offline, every task."""

import datasets
from click.testing import CliRunner

from xprep.cli import main
from xprep.manifest import verify
from xprep.tasks import TASKS


def test_demo_builds_every_task(tmp_path):
    out = tmp_path / "demo"
    res = CliRunner().invoke(
        main, ["demo", "--out", str(out), "--to", "de", "--engine", "tiny"], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    assert "nonsense" in res.output and str((out / "build").resolve()) in res.output
    for name in TASKS:
        cell = out / "build" / name / "de" / "train"
        assert verify(cell) == [], name
        assert len(datasets.load_from_disk(str(cell))) > 0
    rerun = CliRunner().invoke(
        main, ["demo", "--out", str(out), "--to", "de", "--engine", "tiny"], catch_exceptions=False
    )
    assert rerun.output.count("skipped (complete)") == len(TASKS)
