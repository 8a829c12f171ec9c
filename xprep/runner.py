"""Execute a recipe's plan: build what is missing, train, evaluate clean and perturbed, then compare.

Every step writes ``.step.started.json`` (its hash) when it begins and its marker (the hash again, what it
made, seconds) when it ends. A step whose marker holds its current hash is skipped, so rerunning a
finished recipe does nothing; a step begun with other settings is cleared and redone; a step that was
killed with the same settings resumes (training continues from its checkpoints, translation from its
cache and completed cells).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from xprep.owned import check_output_dir, locked, remove_owned
from xprep.plan import plan
from xprep.progress import no_bars
from xprep.recipes import Recipe
from xprep.steps.base import STARTED, RunContext, Step, note_started


def run_recipe(
    recipe: Recipe, root: Path, echo: Callable[[str], None] = print, progress: bool = True
) -> dict[str, int]:
    """Run every step of ``recipe`` under ``root`` that is not done; returns counts of done/skipped steps."""
    steps = plan(recipe, root)
    ctx = RunContext(root, echo, progress)
    counts = {"ran": 0, "skipped": 0}
    check_output_dir(root)
    root.mkdir(parents=True, exist_ok=True)
    with locked(root / "plan.json", "recipe run"), no_bars(not progress):  # two runs never interleave
        _run_steps(steps, ctx, counts)
    return counts


def _run_steps(steps: list[Step], ctx: RunContext, counts: dict[str, int]) -> None:
    """The loop: write the plan, skip what is done, run the rest in order."""
    write_plan(steps, ctx.root)
    for k, step in enumerate(steps, 1):
        status = step.status()
        if status == "done":
            counts["skipped"] += 1
            ctx.echo(f"[{k}/{len(steps)}] skip {step.stage}: {step.name} (done)")
            continue
        redo = " (settings changed: redo)" if status == "stale" else ""
        ctx.echo(f"[{k}/{len(steps)}] {step.stage}: {step.name}{redo}")
        run_step(step, ctx)
        counts["ran"] += 1


def write_plan(steps: list[Step], root: Path) -> None:
    """``plan.json``: every step with its hash and folder (relative to the run folder)."""
    (root / "plan.json").write_text(
        json.dumps(
            [{"stage": s.stage, "name": s.name, "hash": s.hash, "folder": _relative(s.folder, root)} for s in steps],
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def run_step(step: Step, ctx: RunContext) -> float:
    """Run one step that is not done (both executors call this): clear or resume its folder, run it, write
    its marker with the seconds it took; returns those seconds."""
    t0 = time.perf_counter()
    _prepare(step, ctx.root)
    made = step.run(ctx) or {}
    seconds = round(time.perf_counter() - t0, 2)
    step.mark({**made, "seconds": seconds})
    return seconds


def _relative(folder: Path, root: Path) -> str:
    """A step folder relative to the run folder (plan.json names no path of this machine)."""
    return Path(os.path.relpath(folder.resolve(), root.resolve())).as_posix()


def _prepare(step: Step, root: Path) -> None:
    """Clear a folder begun with other settings (never one that only needs resuming, never one outside
    ``root``), then note the start."""
    if step.shares_folder:
        return  # shares its run's folder; its marker is its own file there
    started = step.folder / STARTED
    if step.folder.exists():
        try:
            same = json.loads(started.read_text(encoding="utf-8")).get("hash") == step.hash
        except (OSError, ValueError):
            same = False
        if not same:
            remove_owned(step.folder, root)
    step.folder.mkdir(parents=True, exist_ok=True)
    note_started(step)
