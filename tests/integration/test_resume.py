"""Kill a translation half-way (SIGKILL), rerun it: every record exactly once, cache hits for the done part."""

import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

WORDS = [
    "the",
    "a",
    "cat",
    "dog",
    "bird",
    "house",
    "river",
    "city",
    "tree",
    "bee",
    "queen",
    "lamp",
    "keeper",
    "storm",
    "candle",
    "train",
    "music",
    "road",
]


def _big_mnli(path, n):
    lines = ["pairID\tsentence1\tsentence2\tgold_label"]
    for i in range(n):
        a = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 9)) + f" {i}."
        b = " ".join(WORDS[(i * k + 3) % len(WORDS)] for k in range(1, 6)) + f" {i}."
        lines.append(f"{i}\t{a}\t{b}\t{('entailment', 'neutral', 'contradiction')[i % 3]}")
    path.write_text("\n".join(lines) + "\n")


def _cached(db):
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return con.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_killed_run_resumes(tiny_m2m100, tmp_path):
    n = 2000
    src = tmp_path / "train.tsv"
    _big_mnli(src, n)
    out = tmp_path / "build"
    cmd = [
        sys.executable,
        "-m",
        "xprep.cli",
        "translate",
        "mnli",
        "--to",
        "de",
        "--model",
        str(tiny_m2m100),
        "--out",
        str(out),
        "--source",
        str(src),
        "--beam-size",
        "2",
        "--max-decoding-length",
        "48",
        "--batch-tokens",
        "64",
        "--quiet",
    ]
    db = out / ".cache" / "translations.sqlite"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while _cached(db) == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; make the input bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = _cached(db)
    assert 0 < done_before < 2 * n
    cell = out / "mnli" / "de" / "train"
    assert not cell.exists(), "a killed run leaves no half-written cell"

    res = subprocess.run([*cmd, "--json"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    (man,) = json.loads(res.stdout)
    tr = man["computed"]["translation"]
    assert tr["cache_hits"] >= done_before
    assert tr["segments_translated"] == tr["segments_unique"] - tr["cache_hits"]
    ids = [json.loads(line)["id"] for line in (cell / "records.jsonl").open()]
    assert len(ids) == n and len(set(ids)) == n
    assert not list(cell.parent.glob(".*tmp*")), "no temporary folders are left behind"
