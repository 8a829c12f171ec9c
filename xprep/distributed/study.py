"""Run a recipe's plan on Ray (``xprep run RECIPE --executor ray``): steps as Ray tasks with dependencies.

The driver plans, skips every step whose marker holds its hash (exactly as the local runner does), and
submits the rest as Ray tasks in plan order, each taking the results of the steps it needs as arguments,
so Ray starts a step when its inputs are done. A task re-plans the recipe on its worker (a recipe is
plain data; no live model crosses the wire), checks that its step's hash is the driver's, and runs it
with :func:`xprep.runner.run_step`, the function the local runner calls: the same folders, atomic
outputs, locks and markers, so both executors write the same files. Across machines the run folder
(and the Hugging Face cache, or a local copy on every node) must be on a filesystem all workers see.

The evaluations of one trained run are one task (the model is loaded once for all its sets, as the
local runner does), reported step by step; so are the retrieval steps of one condition (they share its
run folder). Resources: one GPU for training, evaluation, attack and
retrieval steps when ``train.device`` is cuda, and for translate builds when ``translate.device`` is
cuda; one CPU otherwise. A worker that dies (killed, preempted, out of memory) has its task retried up
to ``max_retries`` times; the retry finds the step's started note with the same hash and resumes
(training from its last checkpoint, translation from its cache). An error raised by a step itself
(bad input) is not retried: it fails that step, and the steps that need it are not run.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xprep.errors import InputError, XprepError, require
from xprep.owned import check_output_dir, locked
from xprep.plan import plan
from xprep.recipes import Recipe
from xprep.steps.base import RunContext, Step
from xprep.steps.data import TranslateBuild

GPU_STAGES = ("intermediate", "target", "evaluate", "attack", "retrieve")
# the steps of these stages that share a run folder are one task: one model load for a run's evaluations,
# and a retrieval's steps never write their folder's results.json at the same time
GROUPED = ("evaluate", "retrieve")
SUMMARY_EVERY = 30.0  # seconds between progress summaries (and one at the end)


@dataclasses.dataclass
class Unit:
    """One Ray task: one step, or every evaluation of one trained run."""

    indices: list[int]  # positions in the plan
    deps: set[int] = dataclasses.field(default_factory=set)  # other units it waits for


def units_of(steps: list[Step]) -> list[Unit]:
    """The steps that are not done, as units in plan order (a unit's dependencies come before it)."""
    pos = {id(s): i for i, s in enumerate(steps)}
    units: list[Unit] = []
    unit_of: dict[int, int] = {}  # plan index -> unit index
    groups: dict[tuple[str, Path], int] = {}
    for i, step in enumerate(steps):
        if step.status() == "done":
            continue
        key = (step.stage, step.folder)
        if step.stage in GROUPED and key in groups:
            u = groups[key]
            units[u].indices.append(i)
        else:
            u = len(units)
            units.append(Unit([i]))
            if step.stage in GROUPED:
                groups[key] = u
        unit_of[i] = u
        units[u].deps |= {unit_of[pos[id(d)]] for d in step.inputs if pos[id(d)] in unit_of} - {u}
    return units


def resources(step: Step, recipe: Recipe) -> dict[str, float]:
    """What a step's task asks Ray for: training steps one GPU per training process (``train.processes``)."""
    if step.stage in GPU_STAGES and recipe.train.device == "cuda":
        training = step.stage in ("intermediate", "target")
        return {"num_cpus": 1, "num_gpus": recipe.train.processes if training else 1}
    if isinstance(step, TranslateBuild) and step.settings.device == "cuda":
        return {"num_cpus": 1, "num_gpus": 1}
    return {"num_cpus": 1}


def run_unit(recipe: Recipe, root: str, cwd: str, indices: list[int], hashes: list[str], progress: bool) -> list[dict]:
    """The body of one Ray task (on a worker): re-plan, check the hashes, run the steps; returns, per
    step, its plan index, seconds and what it printed."""
    from xprep.runner import run_step

    if Path(cwd).is_dir():  # relative paths in the recipe mean what they mean on the driver
        os.chdir(cwd)
    steps = plan(recipe, Path(root))
    lines: list[str] = []
    ctx = RunContext(Path(root), lines.append, progress)
    out = []
    for i, want in zip(indices, hashes, strict=True):
        step = steps[i]
        if step.hash != want:
            raise InputError(
                f"the worker planned step {i} ({step.name}) with another hash",
                hint="every node needs the same xprep version and the same files",
            )
        if step.status() == "done":  # a retry of a task whose worker died after this step's marker
            out.append({"index": i, "seconds": None, "log": []})
            continue
        seconds = run_step(step, ctx)
        out.append({"index": i, "seconds": seconds, "log": list(lines)})
        lines.clear()
    return out


def _task(*args: Any) -> list[dict]:
    """The Ray task: ``args`` are run_unit's, then the results of the units it waits for (unused)."""
    return run_unit(*args[:6])


def init_ray(address: str | None, num_cpus: int | None = None) -> Any:
    """Ray, connected to ``address`` (or a new local instance); one-line errors when it cannot be."""
    ray = require("ray", "ray")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    if ray.is_initialized():
        return ray
    kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False}
    if address:
        _reachable(address)  # ray.init waits minutes for an address nobody answers
        kwargs["address"] = address
    elif num_cpus:
        kwargs["num_cpus"] = num_cpus
    try:
        ray.init(**kwargs)
    except (ConnectionError, ValueError, RuntimeError, TimeoutError) as exc:
        raise InputError(
            f"cannot connect to Ray: {' '.join(str(exc).split())[:200]}",
            where=address or "local Ray",
            hint="start the cluster (ray start --head) and give its address, e.g. --ray-address HOST:6379",
        ) from None
    return ray


def _reachable(address: str, timeout: float = 5.0) -> None:
    """A one-line :class:`InputError` unless something listens at ``address`` (HOST:PORT or ray://HOST:PORT;
    ``auto`` is left to Ray)."""
    import socket

    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise InputError("not a Ray address", where=address, hint="HOST:PORT (the head's GCS port, 6379), or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise InputError(
            f"no Ray cluster answers there ({exc.strerror or exc})",
            where=address,
            hint="start the head with `ray start --head` and give its address, e.g. --ray-address HOST:6379",
        ) from None


def run_recipe_ray(
    recipe: Recipe,
    root: Path,
    echo: Callable[[str], None] = print,
    progress: bool = False,
    address: str | None = None,
    max_retries: int = 3,
) -> dict[str, int]:
    """Run ``recipe``'s steps that are not done as Ray tasks; counts of ran/skipped/failed steps.

    Raises :class:`XprepError` naming the failed steps when any failed (after every other step that
    could run has run)."""
    from xprep.runner import write_plan

    ray = init_ray(address)
    root = root.resolve()
    check_output_dir(root)
    root.mkdir(parents=True, exist_ok=True)
    with locked(root / "plan.json", "recipe run"):  # two runs of one recipe folder never interleave
        steps = plan(recipe, root)
        write_plan(steps, root)
        units = units_of(steps)
        for i, step in enumerate(steps, 1):
            if step.status() == "done":
                echo(f"[{i}/{len(steps)}] skip {step.stage}: {step.name} (done)")
        counts = {"ran": 0, "skipped": len(steps) - sum(len(u.indices) for u in units), "failed": 0}
        remote = ray.remote(_task)
        refs: list[Any] = []
        for unit in units:
            first = steps[unit.indices[0]]
            opts = {**resources(first, recipe), "max_retries": max_retries, "name": f"{first.stage}: {first.name}"}
            args = (recipe, str(root), os.getcwd(), unit.indices, [steps[i].hash for i in unit.indices], progress)
            refs.append(remote.options(**opts).remote(*args, *(refs[d] for d in sorted(unit.deps))))
        failures = _collect(ray, steps, units, refs, counts, echo)
    if failures:
        raise XprepError(
            f"{len(failures)} of {len(steps)} steps failed"
            + (f" ({n} more not run: an input failed)" if (n := counts["failed"] - len(failures)) else "")
            + ": "
            + "; ".join(failures[:3]),
            hint="fix the cause and rerun: finished steps are skipped",
        )
    return counts


def _collect(
    ray: Any, steps: list[Step], units: list[Unit], refs: list[Any], counts: dict[str, int], echo: Callable
) -> list[str]:
    """Wait for every unit, printing one line per finished step and the running/done/failed summary."""
    index = {ref: u for u, ref in enumerate(refs)}
    state = ["waiting"] * len(units)
    failures: list[str] = []
    pending = list(refs)
    t0 = last = time.perf_counter()
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        u = index[ready[0]]
        try:
            for res in ray.get(ready[0]):
                step = steps[res["index"]]
                took = "done already" if res["seconds"] is None else f"{res['seconds']} s"
                counts["ran"] += 1
                echo(f"[{res['index'] + 1}/{len(steps)}] {step.stage}: {step.name} ({took})")
                for line in res["log"]:
                    echo(line)
            state[u] = "done"
        except Exception as exc:  # noqa: BLE001 - a step's error (or its worker's death) fails that step only
            state[u] = "failed"
            blocked = any(state[d] == "failed" for d in units[u].deps)
            for i in units[u].indices:
                counts["failed"] += 1
                reason = "an input failed" if blocked else _reason(exc)
                echo(f"[{i + 1}/{len(steps)}] FAILED {steps[i].stage}: {steps[i].name}: {reason}")
                if not blocked:
                    failures.append(f"{steps[i].name}: {reason}")
        if not pending or time.perf_counter() - last >= SUMMARY_EVERY:
            last = time.perf_counter()
            echo(_summary(units, state, last - t0))
    return failures


def _summary(units: list[Unit], state: list[str], seconds: float) -> str:
    """``running`` counts the steps whose inputs are done (on a worker, or waiting for a free one)."""

    def n(pick: Callable[[int, str], bool]) -> int:
        return sum(len(units[k].indices) for k, s in enumerate(state) if pick(k, s))

    running = n(lambda k, s: s == "waiting" and all(state[d] == "done" for d in units[k].deps))
    blocked = n(lambda k, s: s == "waiting") - running
    done, failed = n(lambda k, s: s == "done"), n(lambda k, s: s == "failed")
    return f"steps: running {running}, done {done}, failed {failed}, waiting for inputs {blocked} ({seconds:.0f} s)"


def _reason(exc: BaseException) -> str:
    """The step's own error as one line (Ray wraps it; a dead worker has no cause)."""
    cause = getattr(exc, "cause", None) or exc
    text = cause.one_line() if isinstance(cause, XprepError) else f"{type(cause).__name__}: {cause}"
    return " ".join(text.split())[:300]
