"""Every manifest the suite makes xprep write is validated against its published schema.

The writers are wrapped for the whole session (``Manifest.write``, ``results_json``, the attack's
``write_outputs`` and the recipe runner's plan); each file is validated right after it is written, before
a test can tamper with it on purpose, and the session fails at the end naming every file that did not
match (``FILE: $.json.path: message``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SEEN: dict[str, int] = {}
FAILURES: list[str] = []


def check(path: Path) -> None:
    from xprep.errors import InputError
    from xprep.schemas import validate

    if not path.is_file():
        return
    try:
        kind = validate(path)
    except InputError as exc:
        FAILURES.append(exc.one_line())
        return
    SEEN[kind] = SEEN.get(kind, 0) + 1


def _after(fn: Callable[..., Any], where: Callable[[tuple, dict, Any], Path]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        check(where(args, kwargs, result))
        return result

    return wrapped


def _plan_after(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapped(steps: Any, ctx: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(steps, ctx, *args, **kwargs)
        finally:  # the plan is written first; a step failing later does not unwrite it
            check(Path(ctx.root) / "plan.json")

    return wrapped


@pytest.fixture(scope="session", autouse=True)
def manifests_match_their_schemas() -> Iterator[dict[str, int]]:
    import xprep.attack.report
    import xprep.runner
    import xprep.train.run
    from xprep.manifest import Manifest

    mp = pytest.MonkeyPatch()
    mp.setattr(Manifest, "write", _after(Manifest.write, lambda a, k, r: r))
    mp.setattr(
        xprep.train.run,
        "results_json",
        _after(xprep.train.run.results_json, lambda a, k, r: Path(a[0]) / "results.json"),
    )
    mp.setattr(
        xprep.attack.report,
        "write_outputs",
        _after(xprep.attack.report.write_outputs, lambda a, k, r: Path(a[0]) / "attack.json"),
    )
    mp.setattr(xprep.runner, "_run_steps", _plan_after(xprep.runner._run_steps))  # fmt: skip
    try:
        yield SEEN
    finally:
        mp.undo()
    if FAILURES:
        shown = "\n".join(sorted(set(FAILURES))[:20])
        pytest.fail(f"{len(FAILURES)} manifest(s) written by the suite do not match their schema:\n{shown}")
