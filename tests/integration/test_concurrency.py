"""Two builds into one cell at once never corrupt it; names and paths never escape the output folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xprep.cli import main
from xprep.errors import InputError
from xprep.manifest import verify
from xprep.owned import inside, locked, remove_owned, replace_owned
from xprep.tasks import TASKS, sample_path

MNLI = sample_path(TASKS.get("mnli"))


def _big_mnli(path: Path, n: int) -> Path:
    head, *rows = MNLI.read_text(encoding="utf-8").splitlines()
    lines = [head]
    for i in range(n):
        cols = rows[i % len(rows)].split("\t")
        cols[2] = f"{i}x"  # pairID: unique ids
        cols[4] = f"{cols[4]} ({i})"
        lines.append("\t".join(cols))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_two_builds_into_one_cell(tiny_m2m100: Path, tmp_path: Path) -> None:
    src = _big_mnli(tmp_path / "train.tsv", 300)
    out = tmp_path / "build"
    cmd = [sys.executable, "-m", "xprep.cli", "translate", "mnli", "--to", "de", "--model", str(tiny_m2m100)]
    cmd += ["--out", str(out), "--source", str(src), "--beam-size", "1", "--max-decoding-length", "16", "--quiet"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in "ab"]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert any(rc == 0 for rc, _ in results), results
    for rc, err in results:
        if rc != 0:  # the one that found the cell locked stops with one line, having written nothing
            assert rc == 2 and "another xprep process is writing this build cell" in err, err
            assert "Traceback" not in err
    cell = out / "mnli" / "de" / "train"
    assert verify(cell) == [], "the cell is whole: records, dataset and manifest agree"
    assert sum(1 for _ in (cell / "records.jsonl").open()) == 300
    assert not list(cell.parent.glob(".train.tmp-*")) and not list(cell.parent.glob(".train.old-*"))
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0 and "skipped (complete)" in again.stdout


def test_a_held_lock_stops_a_second_writer(tmp_path: Path) -> None:
    target = tmp_path / "cell"
    with locked(target, "build cell"):
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from xprep.owned import locked\nwith locked(__import__('pathlib').Path({str(target)!r})): pass",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert probe.returncode != 0 and "another xprep process is writing" in probe.stderr
    with locked(target):  # released: free again
        pass


def test_owned_paths_never_escape(tmp_path: Path) -> None:
    owner, victim = tmp_path / "out", tmp_path / "victim"
    owner.mkdir()
    victim.mkdir()
    (victim / "canary.txt").write_text("alive")
    (owner / "link").symlink_to(victim, target_is_directory=True)
    for path in (victim, owner / ".." / "victim", owner, owner / "link" / "canary.txt"):
        with pytest.raises(InputError):
            inside(path, owner)
    remove_owned(owner / "link", owner)  # the link goes; what it points to stays
    assert not (owner / "link").exists() and (victim / "canary.txt").read_text() == "alive"
    with pytest.raises(InputError):
        remove_owned(owner / ".." / "victim", owner)
    tmp = owner / ".new"
    tmp.mkdir()
    with pytest.raises(InputError):
        replace_owned(tmp, victim, owner)
    assert (victim / "canary.txt").read_text() == "alive"


def test_escaping_names_leave_the_canary(tiny_m2m100: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = tmp_path / "victim3"
    victim.mkdir()
    (victim / "canary.txt").write_text("alive")
    out = tmp_path / "a" / "b"
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for argv in (
        ["translate", "mnli", "--to", "de", "--model", str(tiny_m2m100), "--source", str(MNLI), "--out", str(out),
         "--split", "../../../victim3"],
        ["perturb", str(victim), "--task", "xnli", "--perturbation", "typos", "--out", str(victim)],
        ["native", "mix", "--part", f"{victim}:1", "--name", "../../victim3", "--out", str(out)],
    ):  # fmt: skip
        res = runner.invoke(main, argv)
        assert res.exit_code == 2 and res.stderr.startswith("xprep: error: "), res.output
    assert (victim / "canary.txt").read_text() == "alive" and sorted(p.name for p in victim.iterdir()) == ["canary.txt"]
