"""`xprep run --executor ray` on a local Ray with 2 CPUs: the same evaluation files as the local runner,
a rerun skips every step, and a worker killed mid-training is retried and resumes from its checkpoint."""

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'xprep[ray]')")

from xprep.cli import main  # noqa: E402
from xprep.distributed.study import resources, units_of  # noqa: E402
from xprep.plan import plan  # noqa: E402
from xprep.recipe_load import parse_recipe  # noqa: E402

SMOKE = Path(__file__).resolve().parents[2] / "recipes" / "smoke.yaml"


def _mini(tmp: Path) -> Path:
    """The smoke recipe cut to 12 steps: none and English, one seed, German clean and with typos."""
    r = yaml.safe_load(SMOKE.read_text())
    r["seeds"] = [0]
    r["conditions"] = [c for c in r["conditions"] if c["name"] in ("none", "english")]
    r["targets"][0]["eval"] = {"de": "sample"}
    r["perturbations"] = r["perturbations"][:1]
    r["train"].update(intermediate_epochs=2, target_epochs=2)
    path = tmp / "mini.yaml"
    path.write_text(yaml.safe_dump(r))
    return path


def _kill_hook(flags: str):
    """A Ray worker setup hook: while ``flags/armed`` exists, checkpoint every 2 steps and kill the
    worker (``os._exit``) right after the first checkpoint it saves; note each resume."""

    def hook() -> None:
        import dataclasses

        import xprep.settings as settings
        import xprep.train.checkpoint as ck
        import xprep.train.loop as loop

        armed, killed, resumed = (Path(flags) / n for n in ("armed", "killed", "resumed"))
        save, train_cfg, resume = ck.save_checkpoint, settings.TrainSettings.loop_config, loop._Run.resume

        def save_then_die(path, state):
            save(path, state)
            if armed.exists() and not killed.exists():
                killed.write_text(str(path))
                os._exit(1)

        def often(self, epochs, seed, **extra):
            cfg = train_cfg(self, epochs, seed, **extra)
            return dataclasses.replace(cfg, save_every=2) if armed.exists() else cfg

        def noted(self, path, total):
            resumed.write_text(str(path))
            return resume(self, path, total)

        ck.save_checkpoint, settings.TrainSettings.loop_config, loop._Run.resume = save_then_die, often, noted

    return hook


@pytest.fixture(scope="module")
def flags(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flags")
    os.environ["RAY_AUTH_MODE"] = "disabled"
    hook = _kill_hook(str(folder))
    ray.init(num_cpus=2, log_to_driver=False, runtime_env={"worker_process_setup_hook": hook})
    yield folder
    ray.shutdown()


def _evals(root: Path) -> dict[str, dict]:
    return {
        str(p.relative_to(root)): json.loads(p.read_text().replace(str(root), "ROOT"))
        for p in root.glob("runs/*/*/*/eval/*.json")
    }


def _markers(root: Path) -> dict[Path, int]:
    found = [*root.rglob(".step*.json"), *root.rglob("eval/*.json"), *root.rglob("*.safetensors")]
    return {p: p.stat().st_mtime_ns for p in found}


def _run(recipe: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["run", str(recipe), "--out", str(out), "--quiet", "--no-compare", *extra])


@pytest.mark.slow
def test_ray_writes_what_local_writes_then_rerun_skips(tmp_path, flags):
    recipe = _mini(tmp_path)
    res = _run(recipe, tmp_path / "local")
    assert res.exit_code == 0, res.output
    res = _run(recipe, tmp_path / "ray", "--executor", "ray")
    assert res.exit_code == 0, res.output
    assert "12 steps run, 0 skipped" in res.output
    assert "steps: running 0, done 12, failed 0, waiting for inputs 0" in res.output
    local, on_ray = _evals(tmp_path / "local"), _evals(tmp_path / "ray")
    assert len(local) == 4
    assert on_ray == local
    for arm in ("none", "english"):  # the same training (thread counts differ: float rounding only)
        a, b = (json.loads((tmp_path / r / "runs" / arm / "xnli" / "seed0" / "results.json").read_text())
                for r in ("local", "ray"))  # fmt: skip
        la, lb = a["training"]["target"]["losses"], b["training"]["target"]["losses"]
        assert len(la) == len(lb) > 0
        assert max(abs(x - y) for x, y in zip(la, lb, strict=True)) < 1e-4

    markers = _markers(tmp_path / "ray")
    res = _run(recipe, tmp_path / "ray", "--executor", "ray")
    assert res.exit_code == 0, res.output
    assert "0 steps run, 12 skipped" in res.output
    assert _markers(tmp_path / "ray") == markers  # nothing was rewritten


@pytest.mark.slow
def test_killed_worker_is_retried_and_resumes(tmp_path, flags):
    recipe = _mini(tmp_path)
    (flags / "armed").write_text("")
    try:
        res = _run(recipe, tmp_path / "ray", "--executor", "ray", "--max-retries", "2")
    finally:
        (flags / "armed").unlink()
    assert res.exit_code == 0, res.output
    assert (flags / "killed").is_file(), "no worker was killed"
    assert (flags / "resumed").read_text() == (flags / "killed").read_text()  # the retry resumed there
    assert "failed 0" in res.output and "FAILED" not in res.output
    assert len(_evals(tmp_path / "ray")) == 4
    res = _run(recipe, tmp_path / "ray", "--executor", "ray")
    assert "0 steps run, 12 skipped" in res.output, res.output


@pytest.mark.slow
def test_a_failing_step_fails_what_needs_it_and_nothing_else(tmp_path, flags):
    data = yaml.safe_load(_mini(tmp_path).read_text())
    bad = tmp_path / "bad.tsv"
    bad.write_text("one column only\n")
    data["targets"][0]["train"] = str(bad)  # the target's training data: both target runs need it
    recipe = tmp_path / "bad.yaml"
    recipe.write_text(yaml.safe_dump(data))
    res = _run(recipe, tmp_path / "ray", "--executor", "ray")
    assert res.exit_code == 2, res.output
    error = res.output.strip().splitlines()[-1]
    assert error.startswith("xprep: error: 1 of 12 steps failed (6 more not run: an input failed): xnli train:")
    assert sum("FAILED" in ln for ln in res.output.splitlines()) == 7  # the data step, 2 runs, 4 evaluations
    assert (tmp_path / "ray" / "intermediate" / "english" / ".step.json").is_file()  # the rest ran


def test_units_wait_for_inputs_and_group_a_runs_evaluations(tmp_path):
    recipe = parse_recipe(yaml.safe_load(_mini(tmp_path).read_text()))
    steps = plan(recipe, tmp_path)
    units = units_of(steps)
    assert sorted(i for u in units for i in u.indices) == list(range(len(steps)))
    pos = {id(s): i for i, s in enumerate(steps)}
    for k, unit in enumerate(units):
        stages = {steps[i].stage for i in unit.indices}
        assert len(unit.indices) == 1 or stages in ({"evaluate"}, {"retrieve"})
        assert all(d < k for d in unit.deps)  # submitted after what it waits for
        inputs = {pos[id(d)] for i in unit.indices for d in steps[i].inputs}
        assert inputs == {i for d in unit.deps for i in units[d].indices}
    assert sum(len(u.indices) == 2 for u in units) == 2  # clean + typos of each of the 2 runs


def test_gpu_steps_ask_for_a_gpu_on_cuda(tmp_path):
    data = yaml.safe_load(_mini(tmp_path).read_text())
    on_cpu = parse_recipe(data)
    assert all(resources(s, on_cpu) == {"num_cpus": 1} for s in plan(on_cpu, tmp_path))
    data["train"]["device"] = "cuda"
    on_cuda = parse_recipe(data)
    gpu = {s.stage: resources(s, on_cuda) for s in plan(on_cuda, tmp_path)}
    assert gpu["target"] == gpu["intermediate"] == gpu["evaluate"] == {"num_cpus": 1, "num_gpus": 1}
    assert gpu["data"] == gpu["perturb"] == gpu["model"] == {"num_cpus": 1}
    data["train"]["processes"] = 2  # one GPU per training process; evaluation still runs on one
    two = {s.stage: resources(s, parse_recipe(data)) for s in plan(parse_recipe(data), tmp_path)}
    assert two["target"] == two["intermediate"] == {"num_cpus": 1, "num_gpus": 2}
    assert two["evaluate"] == {"num_cpus": 1, "num_gpus": 1}


def test_ray_address_without_ray_executor_is_one_line(tmp_path):
    res = _run(_mini(tmp_path), tmp_path / "x", "--ray-address", "127.0.0.1:6379")
    assert res.exit_code == 2
    assert "--ray-address needs --executor ray" in res.output


@pytest.mark.parametrize("address", ["127.0.0.1:1", "nohost"])
def test_unreachable_ray_address_is_one_line(address):
    from xprep.distributed.study import _reachable
    from xprep.errors import InputError

    with pytest.raises(InputError) as err:
        _reachable(address, timeout=1.0)
    assert address in err.value.one_line() and "\n" not in err.value.one_line()
