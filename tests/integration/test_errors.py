"""Bad input: one line on stderr, exit code 2, no traceback, nothing written."""

import subprocess
import sys

import pytest

from xprep.tasks import TASKS, sample_path


def _run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "xprep.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture()
def bad_tsv(tmp_path):
    path = tmp_path / "broken.tsv"
    path.write_text("pairID\tsentence1\tsentence2\tgold_label\n1\tA b.\tC d.\tperhaps\n")
    return path


def test_bad_inputs_are_one_line_exit_2(tiny_m2m100, tiny_marian, tmp_path, bad_tsv):
    mnli = str(sample_path(TASKS.get("mnli")))
    cases = [
        (["translate", "mnlii", "--to", "de", "--model", str(tiny_m2m100)], "did you mean 'mnli'"),
        (["translate", "mnli", "--to", "xx", "--model", str(tiny_m2m100), "--source", mnli], "unknown language 'xx'"),
        (["translate", "mnli", "--to", "qu", "--model", str(tiny_m2m100), "--source", mnli], "'__qu__'"),
        (["translate", "mnli", "--to", "fr", "--model", str(tiny_marian), "--source", mnli], "en->de, not en->fr"),
        (["translate", "mnli", "--to", "de", "--model", str(tmp_path / "nomodel"), "--source", mnli], "no model.bin"),
        (["translate", "mnli", "--to", "de", "--model", str(tiny_m2m100), "--source", str(bad_tsv)], "broken.tsv:2"),
        (["translate", "ccg", "--to", "de", "--model", str(tiny_m2m100)], "no public hub copy"),
        (["models", "convert", "x", "--out", str(tmp_path / "m"), "--quantization", "int3"], "unknown quantization"),
    ]
    for args, needle in cases:
        res = _run(*args, "--out", str(tmp_path / "build")) if args[0] == "translate" else _run(*args)
        assert res.returncode == 2, (args, res.stderr)
        lines = [ln for ln in res.stderr.splitlines() if ln.startswith("xprep: error")]
        assert len(lines) == 1 and needle in lines[0], res.stderr
        assert "Traceback" not in res.stderr
    assert not (tmp_path / "build" / "mnli" / "de" / "train").exists(), "a failed run leaves no output cell"
