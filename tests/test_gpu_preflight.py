"""scripts/gpu_preflight.py on a CPU: one line per check, says plainly there is no CUDA, fails --device cuda."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "gpu_preflight.py"
STATUSES = {"ok", "SKIP", "info", "FAIL"}


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


def _preflight():
    sys.path.insert(0, str(SCRIPT.parent))
    import gpu_preflight

    return gpu_preflight


@pytest.mark.slow
def test_preflight_on_a_cpu_runs_every_check_there():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this test is about a machine without CUDA")
    res = _run("--probe", "float32")
    assert res.returncode == 0, res.stdout + res.stderr[-2000:]
    lines = res.stdout.splitlines()
    assert all(line.split()[0] in STATUSES for line in lines), res.stdout
    status = {line.split(":")[0].split(None, 1)[1]: line.split()[0] for line in lines}
    assert status["cuda"] == "SKIP" and "no CUDA" in res.stdout
    for name in ("imports", "tiny models", "translate cpu auto", "translate cpu float32 (probe)", "encode cpu",
                 "train cpu", "preflight"):  # fmt: skip
        assert status[name] == "ok", res.stdout


@pytest.mark.slow
def test_preflight_asked_for_cuda_without_it_fails_at_that_line():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this test is about a machine without CUDA")
    res = _run("--device", "cuda")
    assert res.returncode == 1
    last = res.stdout.splitlines()[-1]
    assert last.startswith("FAIL cuda:") and "no CUDA" in last and "translate" not in res.stdout


def test_cublas_12_names_link_to_the_cuda_13_library(tmp_path, monkeypatch):
    pre = _preflight()
    real = tmp_path / "nvidia" / "cu13" / "lib"
    real.mkdir(parents=True)
    for name in ("libcublas.so.13", "libcublasLt.so.13"):
        (real / name).write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(real))
    found = pre.find_cublas("13")
    assert found == [real / "libcublas.so.13"]
    advice = pre.cublas_advice(found)
    assert "libcublas.so.12" in advice and "float16 only" in advice and "--cublas-link" in advice
    assert "nvidia-cublas-cu12" in pre.cublas_advice([])
    links = tmp_path / "links"
    pre.make_cublas_links(found[0], links)
    names = {p.name: p.resolve() for p in links.iterdir()}
    assert names["libcublas.so.12"] == real / "libcublas.so.13"
    assert names["libcublasLt.so.12"] == real / "libcublasLt.so.13" and "libcublasLt.so.13" in names


def test_translation_child_reports_what_ran(tiny_m2m100):
    res = _run("--child-translate", str(tiny_m2m100), "cpu", "float32")
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["compute_type"] == "float32" and out["segments"] == 16 and out["warmup_s"] is not None
