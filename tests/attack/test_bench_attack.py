"""scripts/bench_attack.py smoke-run at the smallest size (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_bench_attack_script_runs_on_the_tiny_model():
    script = Path(__file__).resolve().parents[2] / "scripts" / "bench_attack.py"
    res = subprocess.run(
        [sys.executable, str(script), "--models", "tiny", "--n", "2", "--budget", "5", "--steps", "2"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    rows = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert [r["attack"] for r in rows] == ["charflip", "codemix"]
    for r in rows:
        assert r["queries"] <= 2 * 5 and r["warm_cache"]["queries"] == r["queries"]
        assert r["warm_cache"]["forward_passes"] == 0 and r["forward_passes"] > 0
